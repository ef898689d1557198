// What an EPERM_NETADMIN error tells the user to do. Not `setcap ... node`:
// file capabilities on the node binary reach every node script on the host.
// Ambient capabilities set at launch (setpriv) reach this one ringside
// process and what it runs, and end with it.
#pragma once

namespace rs {

inline constexpr const char* kCapsHint =
    "run ringside under sudo, or give this one run the capabilities: sudo setpriv --reuid=$(id -u) "
    "--regid=$(id -g) --init-groups --inh-caps=+net_admin,+net_raw,+bpf "
    "--ambient-caps=+net_admin,+net_raw,+bpf npx ringside ...";

}  // namespace rs
