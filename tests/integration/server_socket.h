// Raw-socket helpers for the HTTP integration tests: send exact bytes
// (including malformed and partial requests) and read one HTTP/1.1 answer.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace finex::testing {

struct RawAnswer {
  int status = 0;    // 0 when no answer arrived
  std::string head;  // status line + headers
  std::string body;
  bool closed = false;  // the server closed the connection
  std::string Header(std::string_view lower) const {
    std::string h;
    for (char c : head) h.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    const std::string key = "\r\n" + std::string(lower) + ":";
    const size_t p = h.find(key);
    if (p == std::string::npos) return "";
    size_t s = p + key.size();
    while (s < head.size() && head[s] == ' ') ++s;
    return head.substr(s, head.find("\r\n", s) - s);
  }
};

inline int ConnectLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads one answer (Content-Length framed) or until close / timeout.
inline RawAnswer ReadAnswer(int fd, int timeout_ms = 5000) {
  RawAnswer a;
  std::string buf;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t need = std::string::npos;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char tmp[65536];
    const ssize_t n = ::recv(fd, tmp, sizeof(tmp), 0);
    if (n <= 0) {
      a.closed = true;
      break;
    }
    buf.append(tmp, static_cast<size_t>(n));
    const size_t end = buf.find("\r\n\r\n");
    if (end != std::string::npos && need == std::string::npos) {
      a.head = buf.substr(0, end);
      const std::string cl = a.Header("content-length");
      need = end + 4 + (cl.empty() ? 0 : std::stoul(cl));
    }
    if (need != std::string::npos && buf.size() >= need) break;
  }
  const size_t end = buf.find("\r\n\r\n");
  if (end == std::string::npos) return a;
  a.head = buf.substr(0, end);
  a.body = buf.substr(end + 4, need == std::string::npos ? std::string::npos : need - end - 4);
  if (a.head.size() > 12 && a.head.rfind("HTTP/1.", 0) == 0)
    a.status = std::stoi(a.head.substr(9, 3));
  return a;
}

// One request on a fresh connection.
inline RawAnswer Exchange(uint16_t port, std::string_view raw, int timeout_ms = 5000) {
  RawAnswer a;
  const int fd = ConnectLoopback(port);
  if (fd < 0) return a;
  if (SendAll(fd, raw)) a = ReadAnswer(fd, timeout_ms);
  ::close(fd);
  return a;
}

inline RawAnswer HttpGet(uint16_t port, std::string_view target,
                         std::string_view extra_headers = "") {
  return Exchange(port, "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" +
                            std::string(extra_headers) + "Connection: close\r\n\r\n");
}

}  // namespace finex::testing
