// The binding layer is compiled as one translation unit: napi.h and its
// templates cost most of each binding file's compile time, paid once here
// instead of once per file. A new binding file is one line here (and its
// method table one line in features.cpp).
#include "addon.cpp"
#include "capture.cpp"
#include "diag.cpp"
#include "features.cpp"
#include "flow.cpp"
#include "forwarding.cpp"
#include "gen.cpp"
#include "netevents.cpp"
#include "ports.cpp"
#include "util.cpp"
#include "verbose.cpp"
