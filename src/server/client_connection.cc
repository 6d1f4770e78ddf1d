#include "server/client_connection.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

namespace qwenrt::server {
namespace {

// The peer of socket `fd` as (address text, port); port -1 when it is not a connected
// IP socket.
std::pair<std::string, int> peer_of(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {"", -1};
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    return {text, ntohs(a->sin_port)};
  }
  if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    return {text, ntohs(a->sin6_port)};
  }
  return {"", -1};
}

// The open descriptors are listed by /proc/self/fd, so the search costs one call per
// open descriptor rather than one per possible one.
int find_socket(const std::string& addr, int port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int found = -1;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd == dirfd(dir)) continue;
    const auto [peer_addr, peer_port] = peer_of(fd);
    if (peer_port == port && peer_addr == addr) {
      found = fd;
      break;
    }
  }
  closedir(dir);
  return found;
}

}  // namespace

bool ClientConnection::gone() {
  if (fd_ == -2) fd_ = find_socket(remote_addr_, remote_port_);
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

}  // namespace qwenrt::server
