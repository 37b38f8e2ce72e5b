#include "aws/config.h"

#include "core/text.h"

namespace fixgate::aws {
namespace {

bool env_true(const Environment& env, std::string_view name) {
  const auto v = env.get(name);
  return v && iequals(trim(*v), "true");
}

std::string home_path(const Environment& env, const char* leaf) {
  const auto home = env.get("HOME");
  return (home ? *home : std::string(".")) + "/.aws/" + leaf;
}

// Removes an inline comment: '#' or ';' preceded by whitespace.
std::string strip_comment(std::string_view line) {
  for (size_t i = 1; i < line.size(); ++i) {
    if ((line[i] == '#' || line[i] == ';') && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return std::string(line.substr(0, i));
    }
  }
  return std::string(line);
}

}  // namespace

const Section* SharedConfig::profile(std::string_view name) const {
  const auto it = profiles.find(std::string(name));
  return it == profiles.end() ? nullptr : &it->second;
}

std::string SharedConfig::value(std::string_view profile_name, std::string_view key) const {
  const Section* p = profile(profile_name);
  if (p == nullptr) return {};
  const auto it = p->find(std::string(key));
  return it == p->end() ? std::string() : it->second;
}

Result<void> parse_shared_file(std::string_view text, bool is_config_file, const std::string& file_name,
                               SharedConfig& into) {
  enum class Kind { none, profile, services, skipped } kind = Kind::none;
  std::string section;
  std::string parent_key;  // key whose value is a nested block
  size_t line_no = 0;
  size_t pos = 0;
  auto bad = [&](const std::string& why) {
    return make_error("aws.config.malformed",
                      escape_for_display(file_name) + ":" + std::to_string(line_no) + ": " + why);
  };
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const std::string stripped = trim(raw);
    if (stripped.empty() || stripped[0] == '#' || stripped[0] == ';') continue;
    const bool indented = raw.front() == ' ' || raw.front() == '\t';

    if (stripped.front() == '[') {
      const size_t close = stripped.find(']');
      if (close == std::string::npos) return bad("section header without ']'");
      const std::string name = trim(std::string_view(stripped).substr(1, close - 1));
      parent_key.clear();
      if (!is_config_file) {
        kind = Kind::profile;
        section = name;
      } else if (name == "default") {
        kind = Kind::profile;
        section = name;
      } else if (starts_with(name, "profile ") || starts_with(name, "profile\t")) {
        kind = Kind::profile;
        section = trim(std::string_view(name).substr(8));
      } else if (starts_with(name, "services ")) {
        kind = Kind::services;
        section = trim(std::string_view(name).substr(9));
      } else {
        kind = Kind::skipped;  // e.g. [sso-session x]: not used here
        section = name;
      }
      if (section.empty()) return bad("section has no name");
      if (kind == Kind::profile) into.profiles[section];
      if (kind == Kind::services) into.services[section];
      continue;
    }

    const std::string content = trim(strip_comment(stripped));
    const size_t eq = content.find('=');
    if (eq == std::string::npos) return bad("expected 'key = value'");
    const std::string key = to_lower(trim(std::string_view(content).substr(0, eq)));
    const std::string value = trim(std::string_view(content).substr(eq + 1));
    if (key.empty()) return bad("empty key");
    if (kind == Kind::none) return bad("key outside of any section");
    if (kind == Kind::skipped) continue;

    if (indented && !parent_key.empty()) {
      if (kind == Kind::services) {
        into.services[section][parent_key][key] = value;
      } else {
        into.profile_subsections[section][parent_key][key] = value;
      }
      continue;
    }
    if (value.empty()) {
      parent_key = key;  // the start of a nested block ("s3 =")
      continue;
    }
    parent_key.clear();
    if (kind == Kind::profile) {
      into.profiles[section][key] = value;
    } else {
      return bad("services section keys must be nested blocks (\"s3 =\" then indented settings)");
    }
  }
  return {};
}

Result<SharedConfig> load_shared_config(const Environment& env) {
  SharedConfig config;
  const auto config_path = env.get("AWS_CONFIG_FILE").value_or(home_path(env, "config"));
  const auto creds_path = env.get("AWS_SHARED_CREDENTIALS_FILE").value_or(home_path(env, "credentials"));
  if (auto text = env.read_file(config_path); text.ok()) {
    if (auto ok = parse_shared_file(*text, true, config_path, config); !ok) return ok.error();
  }
  if (auto text = env.read_file(creds_path); text.ok()) {
    SharedConfig creds;
    if (auto ok = parse_shared_file(*text, false, creds_path, creds); !ok) return ok.error();
    for (auto& [name, section] : creds.profiles) {
      for (auto& [key, value] : section) config.profiles[name][key] = value;
    }
  }
  return config;
}

std::string active_profile(const Environment& env) {
  const auto p = env.get("AWS_PROFILE");
  return p && !p->empty() ? *p : std::string("default");
}

std::string resolve_region(const Environment& env, const SharedConfig& config) {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    const auto v = env.get(name);
    if (v && !trim(*v).empty()) return trim(*v);
  }
  return config.value(active_profile(env), "region");
}

std::string endpoint_env_suffix(std::string_view service_id) {
  std::string out = to_upper(service_id);
  for (auto& c : out) {
    if (c == ' ' || c == '-') c = '_';
  }
  return out;
}

std::string resolve_endpoint_url(const Environment& env, const SharedConfig& config, const ServiceInfo& service) {
  if (env_true(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) return {};
  if (const auto v = env.get("AWS_ENDPOINT_URL_" + endpoint_env_suffix(service.service_id)); v && !v->empty()) return *v;
  if (const auto v = env.get("AWS_ENDPOINT_URL"); v && !v->empty()) return *v;
  const std::string profile = active_profile(env);
  if (to_lower(config.value(profile, "ignore_configured_endpoint_urls")) == "true") return {};
  const std::string services_name = config.value(profile, "services");
  if (!services_name.empty()) {
    const auto s = config.services.find(services_name);
    if (s != config.services.end()) {
      std::string key = to_lower(service.service_id);
      for (auto& c : key) {
        if (c == ' ') c = '_';
      }
      const auto block = s->second.find(key);
      if (block != s->second.end()) {
        const auto url = block->second.find("endpoint_url");
        if (url != block->second.end() && !url->second.empty()) return url->second;
      }
    }
  }
  return config.value(profile, "endpoint_url");
}

}  // namespace fixgate::aws
