// The client side of cairn's control socket: one command line out, the text
// reply back (the daemon closes the connection after replying).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "wire/result.h"

namespace cairn::ctl {

// Where `cairnctl` looks when --socket is not given: the path the
// configuration reference suggests for `control-socket`.
inline constexpr std::string_view kDefaultControlSocket = "/run/cairn/control.sock";

// Sends `command` and returns the whole reply. Fails when the socket cannot
// be reached or no complete reply arrives within `timeout`.
Result<std::string, TextError> control_exchange(const std::string& socket_path,
                                                std::string_view command,
                                                std::chrono::milliseconds timeout);

}  // namespace cairn::ctl
