#pragma once
/**
 * The journal of the output transaction (io/output.hpp), as SQLite's rollback journal: before
 * the first target is replaced, a journal naming every target, its backup (a hard link to the
 * file it replaces) and its temporary file is written and synced into every folder the
 * commit touches. A run that dies mid-commit leaves it behind, and a later run recovers:
 * when every temporary file is gone, every rename had happened and the commit is finished
 * (backups removed); otherwise each replaced target is restored from its backup (a new target
 * is removed) and the rest removed. Then the temporaries and backups of processes that are gone
 * are removed too.
 */

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lifecircle::io::detail {

/** One target of a commit. */
struct JournalEntry {
    std::string target;     ///< absolute path
    std::string temporary;  ///< absolute path of the finished file, renamed over the target
    std::string backup;     ///< absolute path of the hard link to the old target; "" when it did not exist
};

/** What a journal holds. */
struct Journal {
    long pid = 0;
    unsigned long long start = 0;     ///< the process's start time (/proc), 0 if unknown
    std::vector<std::string> copies;  ///< the journal's own files, one per folder
    std::vector<JournalEntry> entries;
};

/** The journal as text (paths escaped, so any file name fits on its line). */
std::string journal_text(const Journal& journal);
/** Reads a journal; nullopt when it is not one or was cut short (then nothing was renamed). */
std::optional<Journal> parse_journal(const std::string& text);

/**
 * Puts the previous file back at entry.target: renames the backup over it (or copies its
 * contents when the rename fails), or removes the target when there was none before. 0 or the
 * errno; done twice it does no harm.
 */
int restore_entry(const JournalEntry& entry) noexcept;

/**
 * Recovers the journals of processes that are gone in `folder` and removes their temporary
 * files and backups (see the file comment), unless another process holds the folder's lock
 * (it is writing there now). Says what it did through `note`. Throws OutputError when a
 * previous file cannot be restored (the journal is then kept for the next run).
 */
void recover_folder(const std::string& folder, const std::function<void(const std::string&)>& note);

}  // namespace lifecircle::io::detail
