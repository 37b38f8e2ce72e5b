// Small helpers the built-in actions share. Not part of the public API.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "actions/action.h"

namespace fixgate::actions::util {

inline ApiCall make_call(const ActionContext& ctx, std::string service, std::string operation, nlohmann::json params) {
  return ApiCall{std::move(service), std::move(operation), std::move(params), ctx.finding.region};
}

// Performs a read call and returns its body.
inline Result<nlohmann::json> read(ActionContext& ctx, const ApiCall& call) {
  Result<ApiResponse> response = ctx.cloud.call(call);
  if (!response.ok()) return response.error();
  return std::move(response->body);
}

// A boolean member; absent or non-boolean counts as false (fail closed: "not enabled").
inline bool flag(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

inline std::string text(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

inline Error unexpected(std::string_view operation, std::string_view what) {
  return make_error("actions.unexpected_response", std::string(operation) + " response: " + std::string(what));
}

}  // namespace fixgate::actions::util
