// systemd's readiness protocol (sd_notify(3)) without libsystemd: when $NOTIFY_SOCKET names a Unix
// datagram socket (a path, or an abstract one starting with '@'), send it "READY=1", "STOPPING=1",
// "STATUS=…" lines. Without the variable (not started by systemd with Type=notify) it does nothing.
#pragma once

#include <string_view>

namespace laurel::web {

// Sends `state` (newline-separated assignments); false when there is no socket or the send failed.
bool notify_systemd(std::string_view state);

}  // namespace laurel::web
