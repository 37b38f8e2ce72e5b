#include "actions/rollback_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fixgate::actions {

nlohmann::json RollbackRecord::to_json() const {
  return {{"action_id", action_id},   {"action", action},
          {"correlation_id", correlation_id}, {"finding_id", finding_id},
          {"account", account},       {"region", region},
          {"resource_arn", resource_arn}, {"resource_id", resource_id},
          {"resource_type", resource_type}, {"resource_name", resource_name},
          {"params", params},         {"prior_state", prior_state},
          {"status", status}};
}

Result<RollbackRecord> RollbackRecord::from_json(const nlohmann::json& json) {
  if (!json.is_object()) return make_error("actions.bad_rollback_record", "rollback record is not a JSON object");
  RollbackRecord r;
  for (auto [field, target] : {std::pair{"action_id", &r.action_id}, {"action", &r.action},
                               {"correlation_id", &r.correlation_id}, {"finding_id", &r.finding_id},
                               {"account", &r.account}, {"region", &r.region}, {"resource_arn", &r.resource_arn},
                               {"resource_id", &r.resource_id}, {"resource_type", &r.resource_type},
                               {"resource_name", &r.resource_name}, {"status", &r.status}}) {
    auto it = json.find(field);
    if (it == json.end() || !it->is_string()) {
      return make_error("actions.bad_rollback_record", std::string("rollback record field '") + field + "' is missing or not a string");
    }
    *target = it->get<std::string>();
  }
  if (!json.contains("prior_state") || !json.at("prior_state").is_object()) {
    return make_error("actions.bad_rollback_record", "rollback record field 'prior_state' is missing or not an object");
  }
  r.prior_state = json.at("prior_state");
  r.params = json.value("params", nlohmann::json::object());
  return r;
}

Finding RollbackRecord::target() const {
  Finding f;
  f.id = finding_id;
  f.account = account;
  f.region = region;
  f.resource_arn = resource_arn;
  f.resource_id = resource_id;
  f.resource_type = resource_type;
  f.resource_name = resource_name;
  f.open = true;
  return f;
}

bool valid_action_id(const std::string& id) {
  if (id.size() != 20 || id.rfind("act-", 0) != 0) return false;
  for (size_t i = 4; i < id.size(); ++i) {
    const char c = id[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<void> MemoryRollbackStore::put(const RollbackRecord& record) {
  std::lock_guard lock(mutex_);
  records_[record.action_id] = record;
  return {};
}

Result<RollbackRecord> MemoryRollbackStore::get(const std::string& action_id) {
  std::lock_guard lock(mutex_);
  auto it = records_.find(action_id);
  if (it == records_.end()) return make_error("actions.rollback_not_found", "no rollback record for " + action_id);
  return it->second;
}

Result<void> FileRollbackStore::put(const RollbackRecord& record) {
  if (!valid_action_id(record.action_id)) return make_error("actions.bad_action_id", "invalid action id");
  std::lock_guard lock(mutex_);
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) return make_error("actions.rollback_store", "cannot create " + directory_ + ": " + ec.message());
  const std::filesystem::path final_path = std::filesystem::path(directory_) / (record.action_id + ".json");
  const std::filesystem::path temp_path = final_path.string() + ".tmp";
  const std::string text = record.to_json().dump(2) + "\n";
  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("actions.rollback_store", "cannot write " + temp_path.string());
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) {
      ::close(fd);
      return make_error("actions.rollback_store", "short write to " + temp_path.string());
    }
    written += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return make_error("actions.rollback_store", "fsync failed for " + temp_path.string());
  std::filesystem::rename(temp_path, final_path, ec);
  if (ec) return make_error("actions.rollback_store", "cannot rename into " + final_path.string() + ": " + ec.message());
  return {};
}

Result<RollbackRecord> FileRollbackStore::get(const std::string& action_id) {
  if (!valid_action_id(action_id)) {
    return make_error("actions.bad_action_id", "action id must be 'act-' followed by 16 hex digits");
  }
  std::lock_guard lock(mutex_);
  const std::filesystem::path path = std::filesystem::path(directory_) / (action_id + ".json");
  std::ifstream in(path);
  if (!in) return make_error("actions.rollback_not_found", "no rollback record for " + action_id + " in " + directory_);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_discarded()) return make_error("actions.bad_rollback_record", path.string() + " is not valid JSON");
  return RollbackRecord::from_json(json);
}

}  // namespace fixgate::actions
