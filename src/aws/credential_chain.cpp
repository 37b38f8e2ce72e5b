#include "aws/credential_chain.h"

#include <arpa/inet.h>

#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/sts.h"
#include "core/text.h"

namespace fixgate::aws {
namespace {

ChainOptions with_defaults(ChainOptions o) {
  if (!o.env) o.env = system_environment();
  if (!o.clock) o.clock = system_clock();
  if (!o.transport) o.transport = make_curl_transport();
  if (!o.metadata_transport) {
    CurlOptions quick;
    quick.connect_timeout = std::chrono::milliseconds(1000);
    quick.request_timeout = std::chrono::milliseconds(1000);
    o.metadata_transport = make_curl_transport(quick);
  }
  if (o.profile.empty()) o.profile = active_profile(*o.env);
  return o;
}

AwsError provider_error(std::string provider, std::string code, std::string message, int status = 0) {
  AwsError e;
  e.kind = classify(code, status);
  e.code = std::move(code);
  e.message = std::move(message);
  e.operation = "credentials." + provider;
  e.http_status = status;
  return e;
}

std::string session_name(const Clock& clock) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch()).count();
  return "fixgate-" + std::to_string(ms);
}

std::optional<std::string> env_value(const Environment& env, std::string_view name) {
  auto v = env.get(name);
  if (!v || trim(*v).empty()) return std::nullopt;
  return trim(*v);
}

// Credentials JSON of the ECS endpoint and IMDS.
AwsOutcome<Credentials> parse_credentials_json(const std::string& provider, const std::string& body,
                                               std::string source) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return provider_error(provider, "MalformedResponse", "credentials response is not a JSON object");
  if (doc.contains("Code") && doc["Code"].is_string() && doc["Code"] != "Success") {
    return provider_error(provider, "CredentialsUnavailable",
                          "credentials endpoint reports Code=" + escape_for_display(doc["Code"].get<std::string>()));
  }
  Credentials c;
  for (auto [field, target] : {std::pair<const char*, std::string*>{"AccessKeyId", &c.access_key_id},
                               {"SecretAccessKey", &c.secret_access_key},
                               {"Token", &c.session_token}}) {
    const auto it = doc.find(field);
    if (it != doc.end() && it->is_string()) *target = it->get<std::string>();
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return provider_error(provider, "MalformedResponse", "credentials response lacks AccessKeyId or SecretAccessKey");
  }
  if (const auto it = doc.find("Expiration"); it != doc.end() && it->is_string()) {
    c.expiration = parse_iso8601(it->get<std::string>());
    if (!c.expiration) {
      return provider_error(provider, "MalformedResponse",
                            "Expiration is not an ISO 8601 time: \"" + escape_for_display(it->get<std::string>()) + "\"");
    }
  }
  c.source = std::move(source);
  return c;
}

// GET/PUT through a transport to an absolute URL.
Result<HttpResponse> fetch(HttpTransport& transport, const std::string& method, const std::string& url,
                           const KeyValues& headers) {
  auto parsed = parse_url(url);
  if (!parsed) return parsed.error();
  const size_t scheme_end = url.find("://") + 3;
  const size_t path_start = url.find('/', scheme_end);
  std::string path_and_query = path_start == std::string::npos ? "/" : url.substr(path_start);
  HttpRequest req;
  req.method = method;
  const size_t q = path_and_query.find('?');
  req.path = path_and_query.substr(0, q);
  if (q != std::string::npos) req.query = parse_query(path_and_query.substr(q + 1));
  req.headers.emplace_back("Host", parsed->authority);
  for (const auto& h : headers) req.headers.push_back(h);
  return transport.send(parsed->scheme, parsed->authority, req);
}

class EnvironmentProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(ChainOptions o) : o_(std::move(o)) {}
  AwsOutcome<Credentials> get() override {
    const auto id = env_value(*o_.env, "AWS_ACCESS_KEY_ID");
    const auto secret = env_value(*o_.env, "AWS_SECRET_ACCESS_KEY");
    if (!id && !secret) return credentials_not_found("AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set");
    if (!id || !secret) {
      return provider_error("environment", "IncompleteCredentials",
                            "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set");
    }
    Credentials c;
    c.access_key_id = *id;
    c.secret_access_key = *secret;
    c.session_token = env_value(*o_.env, "AWS_SESSION_TOKEN").value_or("");
    if (const auto exp = env_value(*o_.env, "AWS_CREDENTIAL_EXPIRATION")) c.expiration = parse_iso8601(*exp);
    c.source = "environment";
    return c;
  }

 private:
  ChainOptions o_;
};

AwsOutcome<Credentials> web_identity(const ChainOptions& o, const std::string& token_file, const std::string& role_arn,
                                     const std::string& name, const std::string& region) {
  auto token = o.env->read_file(token_file);
  if (!token) return provider_error("web-identity", "InvalidIdentityToken", token.error().message);
  ClientConfig cc;
  cc.region = region.empty() ? "us-east-1" : region;
  cc.transport = o.transport;
  cc.clock = o.clock;
  if (auto config = load_shared_config(*o.env); config.ok()) {
    cc.endpoint_urls["STS"] = resolve_endpoint_url(*o.env, *config, services::sts());
  }
  AwsClient client(cc);  // unsigned: the token is the proof
  auto assumed = assume_role_with_web_identity(client, role_arn, name, trim(*token));
  if (!assumed) return assumed.error();
  return assumed->credentials;
}

class ProfileProvider final : public CredentialsProvider {
 public:
  explicit ProfileProvider(ChainOptions o) : o_(std::move(o)) {}

  AwsOutcome<Credentials> get() override {
    auto config = load_shared_config(*o_.env);
    if (!config) return provider_error("profile", "InvalidConfiguration", config.error().message);
    if (config->profile(o_.profile) == nullptr) {
      if (o_.profile == "default") return credentials_not_found("no default profile in the shared files");
      return provider_error("profile", "ProfileNotFound",
                            "profile \"" + escape_for_display(o_.profile) + "\" (AWS_PROFILE) is not defined");
    }
    std::set<std::string> visited;
    return resolve(*config, o_.profile, visited);
  }

 private:
  AwsOutcome<Credentials> resolve(const SharedConfig& config, const std::string& name, std::set<std::string>& visited) {
    const Section* p = config.profile(name);
    if (p == nullptr) {
      return provider_error("profile", "ProfileNotFound", "source profile \"" + escape_for_display(name) + "\" is not defined");
    }
    if (!visited.insert(name).second) {
      return provider_error("profile", "InvalidConfiguration",
                            "profile \"" + escape_for_display(name) + "\" is part of a source_profile cycle");
    }
    auto get = [&](const char* key) { return config.value(name, key); };
    const std::string role_arn = get("role_arn");
    if (role_arn.empty() || (visited.size() > 1 && !get("aws_access_key_id").empty())) {
      // A profile used as a source with static keys contributes those keys.
      return static_keys(config, name);
    }
    Credentials source;
    if (!get("source_profile").empty()) {
      const std::string src = get("source_profile");
      auto c = src == name ? static_keys(config, name) : resolve(config, src, visited);
      if (!c) return c.error();
      source = std::move(c.value());
    } else if (!get("credential_source").empty()) {
      const std::string cs = get("credential_source");
      std::shared_ptr<CredentialsProvider> provider;
      if (cs == "Environment") provider = make_environment_provider(o_);
      else if (cs == "Ec2InstanceMetadata") provider = make_imds_provider(o_);
      else if (cs == "EcsContainer") provider = make_container_provider(o_);
      else {
        return provider_error("profile", "InvalidConfiguration",
                              "profile \"" + escape_for_display(name) + "\": unknown credential_source \"" +
                                  escape_for_display(cs) + "\"");
      }
      auto c = provider->get();
      if (!c) return c.error();
      source = std::move(c.value());
    } else if (!get("web_identity_token_file").empty()) {
      const std::string sn = get("role_session_name").empty() ? session_name(*o_.clock) : get("role_session_name");
      return web_identity(o_, get("web_identity_token_file"), role_arn, sn, region_for(config, name));
    } else {
      return provider_error("profile", "InvalidConfiguration",
                            "profile \"" + escape_for_display(name) +
                                "\" has role_arn but neither source_profile, credential_source nor web_identity_token_file");
    }

    ClientConfig cc;
    cc.region = region_for(config, name);
    cc.credentials = std::make_shared<StaticCredentialsProvider>(source);
    cc.transport = o_.transport;
    cc.clock = o_.clock;
    cc.endpoint_urls["STS"] = resolve_endpoint_url(*o_.env, config, services::sts());
    AwsClient client(cc);
    AssumeRoleRequest request;
    request.role_arn = role_arn;
    request.role_session_name = get("role_session_name").empty() ? session_name(*o_.clock) : get("role_session_name");
    request.external_id = get("external_id");
    if (const std::string d = get("duration_seconds"); !d.empty()) {
      if (d.find_first_not_of("0123456789") != std::string::npos || d.size() > 6) {
        return provider_error("profile", "InvalidConfiguration",
                              "profile \"" + escape_for_display(name) + "\": duration_seconds is not a number");
      }
      request.duration_seconds = std::stoi(d);
    }
    auto assumed = assume_role(client, request);
    if (!assumed) return assumed.error();
    assumed->credentials.source = "profile:" + name + " (assume-role)";
    return assumed->credentials;
  }

  AwsOutcome<Credentials> static_keys(const SharedConfig& config, const std::string& name) {
    Credentials c;
    c.access_key_id = config.value(name, "aws_access_key_id");
    c.secret_access_key = config.value(name, "aws_secret_access_key");
    c.session_token = config.value(name, "aws_session_token");
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
      if (name == "default" && o_.profile == "default") {
        return credentials_not_found("default profile has no aws_access_key_id / aws_secret_access_key");
      }
      return provider_error("profile", "IncompleteCredentials",
                            "profile \"" + escape_for_display(name) +
                                "\" has no aws_access_key_id / aws_secret_access_key");
    }
    c.source = "profile:" + name;
    return c;
  }

  std::string region_for(const SharedConfig& config, const std::string& name) const {
    std::string region = config.value(name, "region");
    if (region.empty()) region = resolve_region(*o_.env, config);
    return region.empty() ? "us-east-1" : region;
  }

  ChainOptions o_;
};

class WebIdentityProvider final : public CredentialsProvider {
 public:
  explicit WebIdentityProvider(ChainOptions o) : o_(std::move(o)) {}
  AwsOutcome<Credentials> get() override {
    const auto file = env_value(*o_.env, "AWS_WEB_IDENTITY_TOKEN_FILE");
    const auto role = env_value(*o_.env, "AWS_ROLE_ARN");
    if (!file || !role) return credentials_not_found("AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN are not set");
    const std::string name = env_value(*o_.env, "AWS_ROLE_SESSION_NAME").value_or(session_name(*o_.clock));
    std::string region;
    if (auto config = load_shared_config(*o_.env); config.ok()) region = resolve_region(*o_.env, *config);
    return web_identity(o_, *file, *role, name, region);
  }

 private:
  ChainOptions o_;
};

bool allowed_container_host(const std::string& host) {
  static const std::set<std::string> kHosts = {"localhost", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]",
                                               "[::1]"};
  if (kHosts.count(to_lower(host)) != 0) return true;
  in_addr addr{};
  if (inet_pton(AF_INET, host.c_str(), &addr) == 1) return (ntohl(addr.s_addr) >> 24) == 127;
  return false;
}

class ContainerProvider final : public CredentialsProvider {
 public:
  explicit ContainerProvider(ChainOptions o) : o_(std::move(o)) {}
  AwsOutcome<Credentials> get() override {
    std::string url;
    if (const auto rel = env_value(*o_.env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
      url = "http://169.254.170.2" + *rel;
    } else if (const auto full = env_value(*o_.env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
      url = *full;
      auto parsed = parse_url(url);
      if (!parsed) return provider_error("container", "InvalidConfiguration", parsed.error().message);
      if (parsed->scheme == "http" && !allowed_container_host(parsed->host)) {
        return provider_error("container", "InvalidConfiguration",
                              "AWS_CONTAINER_CREDENTIALS_FULL_URI over http must name a loopback or ECS/EKS host, not " +
                                  escape_for_display(parsed->host));
      }
    } else {
      return credentials_not_found("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI are not set");
    }
    KeyValues headers;
    std::optional<std::string> token;
    if (const auto file = env_value(*o_.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
      auto text = o_.env->read_file(*file);
      if (!text) return provider_error("container", "InvalidConfiguration", text.error().message);
      token = trim(*text);
    } else if (const auto t = env_value(*o_.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
      token = *t;
    }
    if (token) {
      if (token->find_first_of("\r\n") != std::string::npos) {
        return provider_error("container", "InvalidConfiguration", "container authorization token contains a line break");
      }
      headers.emplace_back("Authorization", *token);
    }
    auto response = fetch(*o_.metadata_transport, "GET", url, headers);
    if (!response) return provider_error("container", "NetworkError", response.error().message);
    if (response->status != 200) {
      return provider_error("container", "CredentialsUnavailable",
                            "container credentials endpoint answered HTTP " + std::to_string(response->status),
                            response->status);
    }
    return parse_credentials_json("container", response->body, "container");
  }

 private:
  ChainOptions o_;
};

class ImdsProvider final : public CredentialsProvider {
 public:
  explicit ImdsProvider(ChainOptions o) : o_(std::move(o)) {}
  AwsOutcome<Credentials> get() override {
    if (const auto off = env_value(*o_.env, "AWS_EC2_METADATA_DISABLED"); off && iequals(*off, "true")) {
      return credentials_not_found("IMDS is disabled by AWS_EC2_METADATA_DISABLED");
    }
    std::string base = env_value(*o_.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
    while (!base.empty() && base.back() == '/') base.pop_back();
    auto token = fetch(*o_.metadata_transport, "PUT", base + "/latest/api/token",
                       {{"x-aws-ec2-metadata-token-ttl-seconds", "21600"}});
    if (!token) return credentials_not_found("no EC2 instance metadata service: " + token.error().message);
    if (token->status != 200) {
      return provider_error("imds", "CredentialsUnavailable",
                            "IMDS token request answered HTTP " + std::to_string(token->status), token->status);
    }
    const KeyValues auth = {{"x-aws-ec2-metadata-token", trim(token->body)}};
    const std::string prefix = base + "/latest/meta-data/iam/security-credentials/";
    auto roles = fetch(*o_.metadata_transport, "GET", prefix, auth);
    if (!roles) return provider_error("imds", "NetworkError", roles.error().message);
    if (roles->status == 404) return credentials_not_found("the instance has no IAM role");
    if (roles->status != 200) {
      return provider_error("imds", "CredentialsUnavailable",
                            "IMDS role listing answered HTTP " + std::to_string(roles->status), roles->status);
    }
    const std::string role = trim(std::string_view(roles->body).substr(0, roles->body.find('\n')));
    if (role.empty() || role.find_first_of("/?#% ") != std::string::npos) {
      return provider_error("imds", "MalformedResponse", "IMDS returned no usable role name");
    }
    auto creds = fetch(*o_.metadata_transport, "GET", prefix + role, auth);
    if (!creds) return provider_error("imds", "NetworkError", creds.error().message);
    if (creds->status != 200) {
      return provider_error("imds", "CredentialsUnavailable",
                            "IMDS credentials answered HTTP " + std::to_string(creds->status), creds->status);
    }
    return parse_credentials_json("imds", creds->body, "imds:" + role);
  }

 private:
  ChainOptions o_;
};

class ChainProvider final : public CredentialsProvider {
 public:
  explicit ChainProvider(std::vector<std::shared_ptr<CredentialsProvider>> providers)
      : providers_(std::move(providers)) {}
  AwsOutcome<Credentials> get() override {
    std::string tried;
    for (const auto& p : providers_) {
      auto got = p->get();
      if (got.ok()) return got;
      if (!is_credentials_not_found(got.error())) return got;
      if (!tried.empty()) tried += "; ";
      tried += got.error().message;
    }
    return credentials_not_found("no AWS credentials found (" + tried + ")");
  }
  void invalidate() override {
    for (const auto& p : providers_) p->invalidate();
  }

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> providers_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> make_environment_provider(const ChainOptions& o) {
  return std::make_shared<EnvironmentProvider>(with_defaults(o));
}
std::shared_ptr<CredentialsProvider> make_profile_provider(const ChainOptions& o) {
  return std::make_shared<ProfileProvider>(with_defaults(o));
}
std::shared_ptr<CredentialsProvider> make_web_identity_provider(const ChainOptions& o) {
  return std::make_shared<WebIdentityProvider>(with_defaults(o));
}
std::shared_ptr<CredentialsProvider> make_container_provider(const ChainOptions& o) {
  return std::make_shared<ContainerProvider>(with_defaults(o));
}
std::shared_ptr<CredentialsProvider> make_imds_provider(const ChainOptions& o) {
  return std::make_shared<ImdsProvider>(with_defaults(o));
}

std::shared_ptr<CredentialsProvider> make_default_chain(ChainOptions options) {
  ChainOptions o = with_defaults(std::move(options));
  auto chain = std::make_shared<ChainProvider>(std::vector<std::shared_ptr<CredentialsProvider>>{
      make_environment_provider(o), make_profile_provider(o), make_web_identity_provider(o),
      make_container_provider(o), make_imds_provider(o)});
  return std::make_shared<RefreshingCredentialsProvider>(chain, o.clock);
}

}  // namespace fixgate::aws
