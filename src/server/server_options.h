// Configuration of the HTTP intake, and its conversion from the `server:`
// section of fixgate.yaml (handed over already converted to JSON, with any
// ${ENV} references already resolved by the config component).
#pragma once

#include <chrono>
#include <functional>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace fixgate::httpd {
class Router;
}

namespace fixgate::server {

// How the Wiz automation webhook authenticates. Either or both may be set; a
// request passes when it matches one that is set. With neither set every
// /v1/wiz request is refused (fail closed). Secrets: never logged or printed.
struct WizAuth {
  std::string bearer_token;    // "Authorization: Bearer <token>"
  std::string basic_user;      // "Authorization: Basic base64(user:password)"
  std::string basic_password;
};

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0 = any free port (tests); IntakeServer::start() reports the one bound
  size_t max_body_bytes = 1024 * 1024;
  WizAuth wiz;
  // SNS notifications and confirmations are accepted only from these topics;
  // empty means none (fail closed).
  std::vector<std::string> sns_allowed_topic_arns;
  std::chrono::milliseconds read_timeout{10000};   // a request must arrive whole within this of its first byte
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::seconds keep_alive_timeout{5};       // an idle keep-alive connection is closed after this
  // Connections are served by io_threads event loops (0: one per core, at
  // most 4); handlers that may block (SNS verification fetches a certificate,
  // the approvals API writes its store) run on `threads` others.
  size_t io_threads = 0;
  size_t threads = 8;
  // Routes served beside intake (the approvals API); intake's own exact paths
  // win over them. Not read from the config file. A failure fails
  // IntakeServer::create.
  std::function<Result<void>(httpd::Router&)> extra_routes;
};

// Keys (all optional; defaults above):
//   bind: string              port: 0..65535           max_body_bytes: 1..64 MiB
//   threads: 1..256           io_threads: 0..64 (0 = one per core)
//   read_timeout_ms / write_timeout_ms: 1..600000
//   keep_alive_timeout_s: 1..300
//   wiz: {bearer_token: string, basic: {user: string, password: string}}
//   sns: {allowed_topic_arns: [string, ...]}   each must start with "arn:aws" and contain ":sns:"
// Fails with "server.unknown_key", "server.bad_type" or "server.bad_value",
// naming the key as a path (e.g. "server.wiz.basic.password"); the message never
// contains a secret's value.
Result<ServerOptions> server_options_from_json(const nlohmann::json& section);

}  // namespace fixgate::server
