// What fixgate may say about a PostgreSQL connection string without leaking it.
//
// A conninfo ("postgresql://user:secret@host/db", or "host=... password=...")
// may carry a password, and libpq echoes parts of a malformed string back in its
// error messages. Everything user-facing that mentions a connection — errors,
// the location a command prints — goes through these helpers first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fixgate::pgaudit {

// True for the two URI schemes libpq accepts: postgresql:// and postgres://.
bool is_postgres_uri(std::string_view location);

// The conninfo with every password replaced by "***" (URI user info, a
// password= query parameter, or a password= keyword). Safe to print and log.
std::string redact_conninfo(std::string_view conninfo);

// The passwords in `conninfo` as written and as decoded, for scrub_secrets().
// Works on malformed strings too: those are the ones libpq quotes back.
std::vector<std::string> conninfo_secrets(std::string_view conninfo);

// `message` with every occurrence of every secret replaced by "***".
std::string scrub_secrets(std::string message, const std::vector<std::string>& secrets);

// What to print for a conninfo: redacted, and scrubbed of its passwords
// wherever else they appear (say, pasted into another parameter by mistake).
std::string display_conninfo(std::string_view conninfo);

}  // namespace fixgate::pgaudit
