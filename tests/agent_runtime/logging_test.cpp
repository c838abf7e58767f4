#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "shopwatch/agent/runtime/logging.h"

using shopwatch::agent::runtime::stderrIsJournal;

namespace {

/// Sets (or unsets) JOURNAL_STREAM for one test and restores it afterwards.
class JournalStreamEnv {
 public:
  JournalStreamEnv() {
    if (const char* v = std::getenv("JOURNAL_STREAM")) saved_ = v;
  }
  ~JournalStreamEnv() {
    if (saved_) {
      setenv("JOURNAL_STREAM", saved_->c_str(), 1);
    } else {
      unsetenv("JOURNAL_STREAM");
    }
  }
  JournalStreamEnv(const JournalStreamEnv&) = delete;
  JournalStreamEnv& operator=(const JournalStreamEnv&) = delete;
  void set(const std::string& value) const { setenv("JOURNAL_STREAM", value.c_str(), 1); }
  void unset() const { unsetenv("JOURNAL_STREAM"); }

 private:
  std::optional<std::string> saved_;
};

}  // namespace

TEST_CASE("stderr counts as journald only when JOURNAL_STREAM names fd 2's device and inode") {
  JournalStreamEnv env;
  struct stat st {};
  REQUIRE(fstat(2, &st) == 0);
  const std::string mine = std::to_string(static_cast<unsigned long>(st.st_dev)) + ":" +
                           std::to_string(static_cast<unsigned long>(st.st_ino));
  env.set(mine);
  CHECK(stderrIsJournal());
  // Inherited from a parent whose stderr was journald, but ours is redirected elsewhere.
  env.set(std::to_string(static_cast<unsigned long>(st.st_dev)) + ":" +
          std::to_string(static_cast<unsigned long>(st.st_ino) + 1));
  CHECK_FALSE(stderrIsJournal());
  env.set("garbage");
  CHECK_FALSE(stderrIsJournal());
  env.unset();
  CHECK_FALSE(stderrIsJournal());
}
