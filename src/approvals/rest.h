// The approvals REST API, mounted on an httpd::Router (`fixgate serve`
// mounts it beside intake). Every route needs "Authorization: Bearer <token>";
// the token names the approver (settings.h). Tokens are compared in constant
// time (SHA-256 of both sides, CRYPTO_memcmp, every configured token checked).
//
//   GET  /api/v1/approvals[?status=pending|approved|denied|expired]  → {"approvals": [...]}
//   GET  /api/v1/approvals/<id>                                      → the request
//   POST /api/v1/approvals/<id>/approve   body {"note": "..."} (optional) → the request, with `result`
//   POST /api/v1/approvals/<id>/deny      body {"reason": "..."}          → the request
//
// 401 (with a Bearer challenge) when the token is missing or wrong; 400 for a
// bad body or status filter; 403 for self-approval; 404 for an unknown id;
// 409 when the request is no longer pending; 410 when it has expired;
// 500 when the store or audit log failed. Bodies are JSON; errors are
// {"error": {"code", "message"}}.
#pragma once


#include "approvals/service.h"
#include "approvals/settings.h"
#include "core/result.h"
#include "httpd/http_server.h"

namespace fixgate::approvals {

// Registers the routes. Fails ("approvals.no_tokens") when no token is
// configured: an API nobody can authenticate to is a misconfiguration, and an
// open one would be worse. `service` must outlive the server.
Result<void> mount_approvals_api(httpd::Router& router, ApprovalService& service, const ApiOptions& options);

}  // namespace fixgate::approvals
