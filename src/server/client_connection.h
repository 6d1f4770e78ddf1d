// Whether the client of a request is still connected, for answers that are not streamed:
// a client that gives up on a long non-streaming request should free its sequences as a
// dropped stream does. cpp-httplib 0.11 hands a handler no handle on its socket, so the
// socket is found among the process's descriptors by its peer address (a connection's
// address pair is unique while its handler runs), once, on the first check.
#pragma once
#include <string>

namespace qwenrt::server {

class ClientConnection {
 public:
  ClientConnection(std::string remote_addr, int remote_port)
      : remote_addr_(std::move(remote_addr)), remote_port_(remote_port) {}

  // True once the peer has closed or reset the connection; false while it is open or
  // when its socket cannot be found.
  bool gone();

 private:
  std::string remote_addr_;
  int remote_port_;
  int fd_ = -2;  // -2: not looked up yet; -1: not found
};

}  // namespace qwenrt::server
