#include "codegen/cpu/linker.h"

#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace kiln::cpu {

Status LinkSharedObject(const std::string& object_path, const std::string& so_path) {
  std::string log = so_path + ".lld.log";
  std::vector<std::string> args = {"ld.lld-19",
                                   "-shared",
                                   "--no-undefined",
                                   "--as-needed",
                                   "-O1",
                                   "--hash-style=gnu",
                                   "-o",
                                   so_path,
                                   object_path,
                                   "-L/usr/lib/x86_64-linux-gnu",
                                   "-L/lib/x86_64-linux-gnu",
                                   "-lm",
                                   "-lpthread",
                                   "-lc"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  // ld.lld-19 from PATH, else Debian's location.
  int rc = posix_spawnp(&pid, "ld.lld-19", &actions, nullptr, argv.data(), environ);
  if (rc != 0) rc = posix_spawn(&pid, "/usr/bin/ld.lld-19", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Internal("cannot run ld.lld-19 (is lld-19 installed?): error " + std::to_string(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(log.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Internal("linking " + so_path + " with ld.lld-19 failed:\n" + text.str());
  }
  return Status::Ok();
}

}  // namespace kiln::cpu
