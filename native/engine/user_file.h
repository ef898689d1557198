// Opening files the user names (pcap files to read, capture files to write)
// without the traps of a plain open(2): a FIFO or device blocks open() until
// someone opens the other end, deaf to signals; a symbolic link, or a file
// another user planted in a shared sticky directory such as /tmp, redirects
// a write running as root onto a file of the attacker's choosing.
#pragma once
#include <string>

namespace rs {

// fd >= 0 (O_CLOEXEC, blocking I/O) on success. Otherwise err is the errno of
// a failed call, or refusal says why we would not use the file, as a phrase
// after the path ("is a FIFO, not a regular file").
struct UserFile {
  int fd = -1;
  int err = 0;
  std::string refusal;
};

// A regular file to read; anything else is refused without blocking.
UserFile open_user_file_to_read(const std::string& path);

// A regular file to write from its start: created (mode 0644) when absent,
// truncated when it exists and is ours to overwrite. Refused: a symbolic link
// as the last component, anything not a regular file, and in a sticky
// directory a file another user owns.
UserFile create_user_file_to_write(const std::string& path);

// What to check after an open that failed with err, as a phrase in
// parentheses to follow the errno text ("" when there is no advice).
std::string user_file_hint(int err);

}  // namespace rs
