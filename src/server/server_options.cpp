#include "server/server_options.h"

#include <set>

#include "core/text.h"

namespace fixgate::server {

namespace {

using nlohmann::json;

Error bad(const char* code, const std::string& path, const std::string& why) {
  return make_error(code, path + ": " + why);
}

Result<void> only_keys(const json& object, const std::string& path, const std::set<std::string>& allowed) {
  if (!object.is_object()) return bad("server.bad_type", path, "must be a mapping");
  for (const auto& [key, value] : object.items()) {
    if (allowed.count(key) == 0) {
      return bad("server.unknown_key", path + "." + escape_for_display(key), "unknown key");
    }
  }
  return {};
}

Result<std::string> string_at(const json& object, const std::string& path, const char* key) {
  const json& v = object.at(key);
  if (!v.is_string()) return bad("server.bad_type", path + "." + key, "must be a string");
  return v.get<std::string>();
}

Result<long long> integer_at(const json& object, const std::string& path, const char* key, long long min,
                             long long max) {
  const json& v = object.at(key);
  if (!v.is_number_integer()) return bad("server.bad_type", path + "." + key, "must be an integer");
  const long long n = v.is_number_unsigned() && v.get<unsigned long long>() > 1ULL << 62
                          ? max + 1
                          : v.get<long long>();
  if (n < min || n > max) {
    return bad("server.bad_value", path + "." + key,
               "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return n;
}

bool is_sns_topic_arn(const std::string& arn) {
  const std::vector<std::string> parts = split(arn, ':');
  return parts.size() == 6 && parts[0] == "arn" && starts_with(parts[1], "aws") && parts[2] == "sns" &&
         !parts[3].empty() && !parts[4].empty() && !parts[5].empty();
}

Result<void> read_wiz(const json& wiz, const std::string& path, WizAuth& out) {
  if (auto ok = only_keys(wiz, path, {"bearer_token", "basic"}); !ok) return ok;
  if (wiz.contains("bearer_token")) {
    auto token = string_at(wiz, path, "bearer_token");
    if (!token) return token.error();
    if (token->empty()) return bad("server.bad_value", path + ".bearer_token", "must not be empty");
    out.bearer_token = std::move(*token);
  }
  if (wiz.contains("basic")) {
    const std::string basic_path = path + ".basic";
    const json& basic = wiz.at("basic");
    if (auto ok = only_keys(basic, basic_path, {"user", "password"}); !ok) return ok;
    for (const char* key : {"user", "password"}) {
      if (!basic.contains(key)) return bad("server.bad_value", basic_path + "." + key, "is required");
    }
    auto user = string_at(basic, basic_path, "user");
    if (!user) return user.error();
    auto password = string_at(basic, basic_path, "password");
    if (!password) return password.error();
    if (user->empty() || user->find(':') != std::string::npos) {
      return bad("server.bad_value", basic_path + ".user", "must be non-empty and contain no ':'");
    }
    if (password->empty()) return bad("server.bad_value", basic_path + ".password", "must not be empty");
    out.basic_user = std::move(*user);
    out.basic_password = std::move(*password);
  }
  return {};
}

Result<void> read_sns(const json& sns, const std::string& path, std::vector<std::string>& out) {
  if (auto ok = only_keys(sns, path, {"allowed_topic_arns"}); !ok) return ok;
  if (!sns.contains("allowed_topic_arns")) return {};
  const json& list = sns.at("allowed_topic_arns");
  const std::string list_path = path + ".allowed_topic_arns";
  if (!list.is_array()) return bad("server.bad_type", list_path, "must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string item_path = list_path + "[" + std::to_string(i) + "]";
    if (!list[i].is_string()) return bad("server.bad_type", item_path, "must be a string");
    const std::string arn = list[i].get<std::string>();
    if (!is_sns_topic_arn(arn)) {
      return bad("server.bad_value", item_path, "'" + escape_for_display(arn) + "' is not an SNS topic ARN");
    }
    out.push_back(arn);
  }
  return {};
}

}  // namespace

Result<ServerOptions> server_options_from_json(const json& section) {
  const std::string path = "server";
  ServerOptions out;
  if (section.is_null()) return out;
  if (auto ok = only_keys(section, path,
                          {"bind", "port", "max_body_bytes", "threads", "io_threads", "read_timeout_ms", "write_timeout_ms",
                           "keep_alive_timeout_s", "wiz", "sns"});
      !ok) {
    return ok.error();
  }
  if (section.contains("bind")) {
    auto bind = string_at(section, path, "bind");
    if (!bind) return bind.error();
    if (bind->empty()) return bad("server.bad_value", path + ".bind", "must not be empty");
    out.bind = std::move(*bind);
  }
  struct IntKey { const char* key; long long min; long long max; };
  for (IntKey k : {IntKey{"port", 0, 65535}, IntKey{"max_body_bytes", 1, 64LL * 1024 * 1024},
                   IntKey{"threads", 1, 256}, IntKey{"io_threads", 0, 64}, IntKey{"read_timeout_ms", 1, 600000},
                   IntKey{"write_timeout_ms", 1, 600000}, IntKey{"keep_alive_timeout_s", 1, 300}}) {
    if (!section.contains(k.key)) continue;
    auto n = integer_at(section, path, k.key, k.min, k.max);
    if (!n) return n.error();
    const std::string key = k.key;
    if (key == "port") out.port = static_cast<int>(*n);
    else if (key == "max_body_bytes") out.max_body_bytes = static_cast<size_t>(*n);
    else if (key == "threads") out.threads = static_cast<size_t>(*n);
    else if (key == "io_threads") out.io_threads = static_cast<size_t>(*n);
    else if (key == "read_timeout_ms") out.read_timeout = std::chrono::milliseconds(*n);
    else if (key == "write_timeout_ms") out.write_timeout = std::chrono::milliseconds(*n);
    else out.keep_alive_timeout = std::chrono::seconds(*n);
  }
  if (section.contains("wiz")) {
    if (auto ok = read_wiz(section.at("wiz"), path + ".wiz", out.wiz); !ok) return ok.error();
  }
  if (section.contains("sns")) {
    if (auto ok = read_sns(section.at("sns"), path + ".sns", out.sns_allowed_topic_arns); !ok) return ok.error();
  }
  return out;
}

}  // namespace fixgate::server
