#pragma once
/**
 * The file operations under the output transaction (io/output.hpp): checked writes, syncs and
 * renames (each a test-only fault injection point, io/output_fault.hpp), the names of our
 * temporary files, whether the process that made them still runs, the signal handler that
 * removes temporaries on SIGINT/SIGTERM/SIGHUP, and folder locks between processes.
 */

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace lifecircle::io::detail {

/** What one of our transaction files is, from its name: ".lc-<pid>-<n>.<kind>[.ext]". */
struct OurFile {
    long pid = 0;
    /** "tmp" (a staged output), "bak" (a backup of a replaced target) or "journal". */
    std::string kind;
};

/** Recognises the name (no folder) of a transaction file; nullopt for any other name. */
std::optional<OurFile> parse_our_name(std::string_view name);

/**
 * A fresh name ".lc-<pid>-<n>.<kind><extension>" for this process (n counts up), at most
 * 40 bytes plus the extension: short, so that any legal target name still has a temporary.
 */
std::string our_name(std::string_view kind, std::string_view extension = {});

/** Whether process `pid` runs (kill(pid, 0); a process of another user counts as running). */
bool process_alive(long pid) noexcept;
/** The start time of process `pid` in clock ticks after boot (/proc/PID/stat), 0 if unknown. */
unsigned long long process_start(long pid) noexcept;

/** strerror(error) as a string, e.g. "No space left on device". */
std::string error_text(int error);

/** Writes all of `data` to `fd` (retrying short writes); 0 or the errno. A fault point. */
int write_all(int fd, std::string_view data, std::string_view name) noexcept;
/** fsync(fd); 0 or the errno. A fault point. */
int sync_fd(int fd, std::string_view name) noexcept;
/** Opens `path` read-only and fsyncs it (a file GDAL wrote, a folder); 0 or the errno. */
int sync_path(const std::string& path, std::string_view name) noexcept;
/** rename(from, to); 0 or the errno. A fault point. */
int rename_file(const std::string& from, const std::string& to, std::string_view name) noexcept;
/**
 * Copies `from` over `to` (created or truncated, written, synced unless `sync` is false); 0 or
 * the errno. Used for a backup where hard links are not supported, to restore when a rename
 * fails, and to start a GeoPackage update from a copy.
 */
int copy_contents(const std::string& from, const std::string& to, std::string_view name, bool sync = true) noexcept;
/** Removes `path` and SQLite's companions ("-journal", "-wal", "-shm"); errors are ignored. */
void remove_with_companions(const std::string& path) noexcept;

/**
 * Registers a temporary file that the handler of SIGINT, SIGTERM and SIGHUP removes (with its
 * SQLite companions) before the signal takes its default effect. The handler is installed at
 * each registration for each signal whose disposition is the default then (a host program's
 * own handler, or an ignored SIGINT, is left alone). Returns the slot, or -1 when all slots
 * are taken (the file is then only removed by a later run).
 */
int register_temporary(const std::string& path);
/** Forgets a registered temporary (it was renamed into place, removed, or must be kept). */
void unregister_temporary(int slot) noexcept;

/**
 * While one exists, SIGINT, SIGTERM and SIGHUP are held back: a commit in progress is never
 * cut in two by them. When the last one ends, a held-back signal takes effect (the temporaries
 * still registered are removed and the process ends with that signal).
 */
class SignalDeferral {
public:
    SignalDeferral();
    ~SignalDeferral();
    SignalDeferral(const SignalDeferral&) = delete;
    SignalDeferral& operator=(const SignalDeferral&) = delete;
};

/**
 * An exclusive lock on a folder (flock on the folder itself, so no lock file is left behind)
 * against other processes and other threads; the thread holding it may take it again. Released
 * when the last holder goes.
 */
class FolderLock {
public:
    FolderLock() = default;
    /**
     * Locks `folder`, waiting at most `timeout_seconds` (LIFECIRCLE_LOCK_TIMEOUT, default 60,
     * when negative). Throws OutputError naming `shown` and saying what holds it. A file system
     * that cannot lock (some network file systems) leaves the lock empty with supported() false.
     */
    static FolderLock acquire(const std::string& folder, const std::string& shown, double timeout_seconds = -1);
    /** Locks `folder` if nobody else holds it now; otherwise an empty lock (held() false). */
    static FolderLock try_acquire(const std::string& folder);
    FolderLock(FolderLock&& other) noexcept;
    FolderLock& operator=(FolderLock&& other) noexcept;
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;
    ~FolderLock();

    /** Whether this object holds the lock. */
    bool held() const noexcept { return m_held; }
    /** False when the file system refused to lock at all (then nothing is held). */
    bool supported() const noexcept { return m_supported; }
    /** Why the file system refused, when it did. */
    const std::string& refusal() const noexcept { return m_refusal; }

    /** The wait LIFECIRCLE_LOCK_TIMEOUT asks for (seconds), 60 when unset or not a number. */
    static double default_timeout();

private:
    void release() noexcept;
    dev_t m_device = 0;
    ino_t m_inode = 0;
    bool m_held = false;
    bool m_supported = true;
    std::string m_refusal;
};

}  // namespace lifecircle::io::detail
