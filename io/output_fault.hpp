#pragma once
/**
 * Test-only fault injection for the output transaction, as SQLite's test VFS does it: the
 * environment variable LIFECIRCLE_FAULT makes the N-th write, sync or rename of the output code
 * fail, or the process kill itself at the N-th of them, so that tests can prove that every
 * failure leaves the previous outputs as they were. Never set it outside tests.
 *
 * LIFECIRCLE_FAULT is a comma-separated list of rules `OP:N[+][:WHAT][@NAME]`:
 *  - OP `write`, `sync` or `rename`: the N-th such operation fails (with `+`: the N-th and every
 *    later one); WHAT is the error, `EIO` (the default) or `ENOSPC` (a full disk);
 *  - OP `kill`: at the N-th output operation of any kind the process sends itself the signal
 *    WHAT: `KILL` (the default), `TERM` or `INT`;
 *  - `@NAME` counts only operations on the file called NAME (its final name, e.g.
 *    `summary.json` or `.lifecircle-plan`, also while it is still a temporary file); the
 *    journals count as `journal`, a folder's syncs under the folder's own name.
 * Writes are counted per write(2) call of lifecircle's own code (text outputs, journals, the
 * copy a GeoPackage update starts from, backups copied instead of linked, standard output);
 * files GDAL writes are synced and renamed by lifecircle, so their syncs and renames count too.
 */

#include <string>
#include <string_view>

namespace lifecircle::io::fault {

/** The kinds of operation a rule can fail. */
enum class Op { write, sync, rename };

/**
 * Called before each output operation on the file named `name`: returns 0 to go ahead, or the
 * errno the operation must fail with. A `kill` rule raises its signal here.
 */
int check(Op op, std::string_view name) noexcept;

/** Reads LIFECIRCLE_FAULT again and starts counting from zero (for tests that change it). */
void reset() noexcept;

/** Why LIFECIRCLE_FAULT cannot be understood, or "" when it is unset or fine. */
std::string spec_error();

}  // namespace lifecircle::io::fault
