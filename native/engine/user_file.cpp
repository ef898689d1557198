#include "user_file.h"
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rs {
namespace {

std::string not_regular(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory, not a file";
  if (S_ISFIFO(mode)) return "is a FIFO, not a regular file";
  if (S_ISSOCK(mode)) return "is a socket, not a regular file";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device, not a regular file";
  return "is not a regular file";
}

UserFile failed(int fd, int err, std::string refusal = {}) {
  if (fd >= 0) ::close(fd);
  return {-1, err, std::move(refusal)};
}

// O_NONBLOCK only made open() itself return at once; I/O on the regular
// file it turned out to be blocks as usual.
UserFile regular_or_refused(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return failed(fd, errno);
  if (!S_ISREG(st.st_mode)) return failed(fd, 0, not_regular(st.st_mode));
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) return failed(fd, errno);
  return {fd, 0, {}};
}

std::string directory_of(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

UserFile open_user_file_to_read(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return failed(-1, errno);
  return regular_or_refused(fd);
}

UserFile create_user_file_to_write(const std::string& path) {
  constexpr int kFlags = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
  // A file removed between the two opens below is created on the next try.
  for (int attempt = 0; attempt < 3; attempt++) {
    int fd = ::open(path.c_str(), kFlags | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) return regular_or_refused(fd);  // new, so ours
    if (errno != EEXIST) return failed(-1, errno);
    fd = ::open(path.c_str(), kFlags);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      if (errno == ELOOP) return failed(-1, 0, "is a symbolic link, which captures do not follow");
      if (errno == ENXIO) return failed(-1, 0, "is a FIFO, not a regular file");  // no reader at the other end
      return failed(-1, errno);
    }
    UserFile f = regular_or_refused(fd);
    if (f.fd < 0) return f;
    // In a sticky directory anyone may create a file another will write to;
    // the owner's own file, or any file outside such directories, is fair game.
    struct stat st, dir;
    if (::fstat(fd, &st) != 0) return failed(fd, errno);
    if (st.st_uid != ::geteuid() && ::stat(directory_of(path).c_str(), &dir) == 0 && (dir.st_mode & S_ISVTX))
      return failed(fd, 0, "belongs to another user (uid " + std::to_string(st.st_uid) +
                               ") in a shared sticky directory, so it is not overwritten");
    if (::ftruncate(fd, 0) != 0) return failed(fd, errno);
    return f;
  }
  return failed(-1, EEXIST);
}

std::string user_file_hint(int err) {
  switch (err) {
    case ENOENT: return " (check the path; relative paths start from the directory ringside runs in)";
    case EACCES: return " (permission denied: check the file and directory modes)";
    default: return "";
  }
}

}  // namespace rs
