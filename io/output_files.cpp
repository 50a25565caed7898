#include "io/output_files.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"
#include "io/output_fault.hpp"

namespace lifecircle::io::detail {

namespace {

constexpr std::string_view prefix = ".lc-";

/** Parses the decimal digits at the start of `text`; returns how many there were. */
std::size_t leading_number(std::string_view text, long& value) {
    std::size_t k = 0;
    value = 0;
    while (k < text.size() && k < 18 && text[k] >= '0' && text[k] <= '9') {
        value = value * 10 + (text[k] - '0');
        ++k;
    }
    return k;
}

}  // namespace

std::optional<OurFile> parse_our_name(std::string_view name) {
    if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
    std::string_view rest = name.substr(prefix.size());
    long pid = 0;
    std::size_t k = leading_number(rest, pid);
    if (k == 0 || k >= rest.size() || rest[k] != '-' || pid <= 0) return std::nullopt;
    rest = rest.substr(k + 1);
    long counter = 0;
    k = leading_number(rest, counter);
    if (k == 0 || k >= rest.size() || rest[k] != '.') return std::nullopt;
    rest = rest.substr(k + 1);
    for (const std::string_view kind : {"tmp", "bak", "journal"}) {
        if (rest.substr(0, kind.size()) == kind &&
            (rest.size() == kind.size() || rest[kind.size()] == '.' || rest[kind.size()] == '-'))
            return OurFile{pid, std::string(kind)};
    }
    return std::nullopt;
}

std::string our_name(std::string_view kind, std::string_view extension) {
    static std::atomic<unsigned long> counter{0};
    std::string name(prefix);
    name += std::to_string(::getpid());
    name += '-';
    name += std::to_string(counter++);
    name += '.';
    name += kind;
    name += extension;
    return name;
}

bool process_alive(long pid) noexcept {
    if (pid <= 0) return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

unsigned long long process_start(long pid) noexcept {
    try {
        std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
        std::string text;
        std::getline(in, text);
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the
        // last ')'. The start time is field 22; the state is field 3.
        const auto close = text.rfind(')');
        if (close == std::string::npos) return 0;
        std::size_t at = close + 1;
        for (int field = 3; field <= 22; ++field) {
            while (at < text.size() && text[at] == ' ') ++at;
            const std::size_t end = text.find(' ', at);
            if (field == 22) return std::stoull(text.substr(at, end - at));
            if (end == std::string::npos) return 0;
            at = end;
        }
    } catch (...) {
    }
    return 0;
}

std::string error_text(int error) { return std::strerror(error); }

int write_all(int fd, std::string_view data, std::string_view name) noexcept {
    if (const int injected = fault::check(fault::Op::write, name)) return injected;
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return EIO;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

int sync_fd(int fd, std::string_view name) noexcept {
    if (const int injected = fault::check(fault::Op::sync, name)) return injected;
    if (::fsync(fd) == 0) return 0;
    // A pipe or a terminal cannot be synced and need not be.
    if (errno == EINVAL || errno == EROFS) return 0;
    return errno;
}

int sync_path(const std::string& path, std::string_view name) noexcept {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    const int error = sync_fd(fd, name);
    ::close(fd);
    return error;
}

int rename_file(const std::string& from, const std::string& to, std::string_view name) noexcept {
    if (const int injected = fault::check(fault::Op::rename, name)) return injected;
    return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

int copy_contents(const std::string& from, const std::string& to, std::string_view name, bool sync) noexcept {
    const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return errno;
    const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0) {
        const int error = errno;
        ::close(in);
        return error;
    }
    int error = 0;
    std::array<char, 1 << 16> buffer{};
    for (;;) {
        const ssize_t n = ::read(in, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = errno;
            break;
        }
        if (n == 0) break;
        error = write_all(out, std::string_view(buffer.data(), static_cast<std::size_t>(n)), name);
        if (error != 0) break;
    }
    if (error == 0 && sync) error = sync_fd(out, name);
    if (::close(out) != 0 && error == 0) error = errno;
    ::close(in);
    return error;
}

void remove_with_companions(const std::string& path) noexcept {
    ::unlink(path.c_str());
    for (const char* suffix : {"-journal", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
}

// --- Signals ----------------------------------------------------------------------------------

namespace {

constexpr int slot_count = 1024;
std::array<std::atomic<char*>, slot_count> g_slots{};
/** Set once a handler starts removing files: from then on nothing registered is freed. */
std::atomic<int> g_removing{0};
/** The number of SignalDeferral objects alive, plus dying_bit once the process is ending. */
std::atomic<unsigned> g_deferrals{0};
constexpr unsigned dying_bit = 1u << 30;
std::atomic<int> g_pending{0};

/** Removes every registered temporary and its SQLite companions. Async-signal-safe. */
void remove_registered() noexcept {
    g_removing.store(1);
    char buffer[4096 + 16];
    for (std::atomic<char*>& slot : g_slots) {
        const char* path = slot.load();
        if (path == nullptr) continue;
        ::unlink(path);
        const std::size_t n = std::strlen(path);
        if (n + 9 > sizeof buffer) continue;
        std::memcpy(buffer, path, n);
        for (const char* suffix : {"-journal", "-wal", "-shm"}) {
            std::strcpy(buffer + n, suffix);
            ::unlink(buffer);
        }
    }
}

/** Ends the process with `sig` after removing the temporaries. Async-signal-safe. */
void end_with(int sig) noexcept {
    remove_registered();
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    ::sigaction(sig, &action, nullptr);
    // In a handler the signal is blocked in this thread until it returns, while the other
    // threads (a writer, TBB workers) run on and could make new files: a process-directed
    // signal is delivered at once to a thread that does not block it, with the default action.
    ::kill(::getpid(), sig);
    ::raise(sig);
}

extern "C" void on_output_signal(int sig) {
    const int saved = errno;
    // Announce the signal first, then look at the commits: a commit ending at the same moment
    // then sees it (both sides store, then load; sequentially consistent).
    g_pending.store(sig);
    for (;;) {
        unsigned state = g_deferrals.load();
        if ((state & dying_bit) != 0) {
            // Another thread is already ending the process.
            for (;;) ::pause();
        }
        if (state != 0) {
            // A commit is in progress: it finishes (or rolls back), then the signal takes effect.
            errno = saved;
            return;
        }
        if (g_deferrals.compare_exchange_weak(state, dying_bit)) break;
    }
    g_pending.store(0);
    end_with(sig);
    errno = saved;
}

/**
 * Installs the handler for each signal whose disposition is the default now: checked at every
 * registration, so a handler a host program (or a test framework) had installed meanwhile and
 * removed again is still followed by ours.
 */
void install_handlers() {
    for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) != 0) continue;
        // Ours already, ignored (a background job's SIGINT) or the host program's: left alone.
        if ((old.sa_flags & SA_SIGINFO) != 0 || old.sa_handler != SIG_DFL) continue;
        struct sigaction action {};
        action.sa_handler = on_output_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        ::sigaction(sig, &action, nullptr);
    }
}

}  // namespace

int register_temporary(const std::string& path) {
    install_handlers();
    char* copy = new char[path.size() + 1];
    std::memcpy(copy, path.c_str(), path.size() + 1);
    for (int k = 0; k < slot_count; ++k) {
        char* expected = nullptr;
        if (g_slots[static_cast<std::size_t>(k)].compare_exchange_strong(expected, copy)) return k;
    }
    delete[] copy;
    return -1;
}

void unregister_temporary(int slot) noexcept {
    if (slot < 0 || slot >= slot_count) return;
    char* path = g_slots[static_cast<std::size_t>(slot)].exchange(nullptr);
    // A handler in another thread may be reading it: then the process is ending anyway.
    if (g_removing.load() == 0) delete[] path;
}

SignalDeferral::SignalDeferral() {
    unsigned state = g_deferrals.load();
    for (;;) {
        if ((state & dying_bit) != 0) {
            // A signal is ending the process and removing the temporaries: nothing may start.
            for (;;) ::pause();
        }
        if (g_deferrals.compare_exchange_weak(state, state + 1)) break;
    }
}

SignalDeferral::~SignalDeferral() {
    if (g_deferrals.fetch_sub(1) - 1 != 0) return;
    const int pending = g_pending.load();
    if (pending == 0) return;
    unsigned idle = 0;
    if (g_deferrals.compare_exchange_strong(idle, dying_bit)) {
        g_pending.store(0);
        end_with(pending);
    }
}

// --- Folder locks -----------------------------------------------------------------------------

namespace {

struct HeldLock {
    int fd = -1;
    std::thread::id owner;
    int count = 0;
};

std::mutex g_lock_mutex;
std::map<std::pair<dev_t, ino_t>, HeldLock>& held_locks() {
    static std::map<std::pair<dev_t, ino_t>, HeldLock> held;
    return held;
}

enum class Attempt { locked, busy, unsupported };

Attempt attempt_lock(const std::string& folder, dev_t device, ino_t inode, std::string& refusal) {
    std::lock_guard guard(g_lock_mutex);
    auto& held = held_locks();
    const auto key = std::make_pair(device, inode);
    const auto it = held.find(key);
    if (it != held.end()) {
        if (it->second.owner != std::this_thread::get_id()) return Attempt::busy;
        ++it->second.count;
        return Attempt::locked;
    }
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        refusal = error_text(errno);
        return Attempt::unsupported;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        held[key] = HeldLock{fd, std::this_thread::get_id(), 1};
        return Attempt::locked;
    }
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK || error == EINTR) return Attempt::busy;
    refusal = error_text(error);
    return Attempt::unsupported;
}

std::string seconds_text(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", seconds);
    return buffer;
}

}  // namespace

double FolderLock::default_timeout() {
    const char* text = std::getenv("LIFECIRCLE_LOCK_TIMEOUT");
    if (text == nullptr || *text == '\0') return 60;
    char* end = nullptr;
    const double value = std::strtod(text, &end);
    if (end == text || *end != '\0' || !(value >= 0) || value > 1e6) return 60;
    return value;
}

FolderLock FolderLock::acquire(const std::string& folder, const std::string& shown, double timeout_seconds) {
    if (timeout_seconds < 0) timeout_seconds = default_timeout();
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0)
        throw OutputError("cannot lock the folder '" + folder + "': " + error_text(errno)).set_file(shown);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
    FolderLock lock;
    for (;;) {
        const Attempt a = attempt_lock(folder, st.st_dev, st.st_ino, lock.m_refusal);
        if (a == Attempt::locked) {
            lock.m_device = st.st_dev;
            lock.m_inode = st.st_ino;
            lock.m_held = true;
            return lock;
        }
        if (a == Attempt::unsupported) {
            lock.m_supported = false;
            return lock;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            throw OutputError("another run (of lifecircle or of another program) holds the lock of the folder '" +
                              folder + "' while it writes there; waited " + seconds_text(timeout_seconds) +
                              " s for it. Run again when it has finished (LIFECIRCLE_LOCK_TIMEOUT sets how many "
                              "seconds to wait)")
                .set_file(shown);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

FolderLock FolderLock::try_acquire(const std::string& folder) {
    FolderLock lock;
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0) return lock;
    const Attempt a = attempt_lock(folder, st.st_dev, st.st_ino, lock.m_refusal);
    if (a == Attempt::locked) {
        lock.m_device = st.st_dev;
        lock.m_inode = st.st_ino;
        lock.m_held = true;
    } else if (a == Attempt::unsupported) {
        lock.m_supported = false;
    }
    return lock;
}

FolderLock::FolderLock(FolderLock&& other) noexcept
    : m_device(other.m_device),
      m_inode(other.m_inode),
      m_held(std::exchange(other.m_held, false)),
      m_supported(other.m_supported),
      m_refusal(std::move(other.m_refusal)) {}

FolderLock& FolderLock::operator=(FolderLock&& other) noexcept {
    if (this != &other) {
        release();
        m_device = other.m_device;
        m_inode = other.m_inode;
        m_held = std::exchange(other.m_held, false);
        m_supported = other.m_supported;
        m_refusal = std::move(other.m_refusal);
    }
    return *this;
}

FolderLock::~FolderLock() { release(); }

void FolderLock::release() noexcept {
    if (!m_held) return;
    m_held = false;
    std::lock_guard guard(g_lock_mutex);
    auto& held = held_locks();
    const auto it = held.find({m_device, m_inode});
    if (it == held.end()) return;
    if (--it->second.count > 0) return;
    ::close(it->second.fd);
    held.erase(it);
}

}  // namespace lifecircle::io::detail
