#include "io/html_pdf.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.hpp"

extern char** environ;

namespace lifecircle::io {

namespace fs = std::filesystem;

namespace {

bool executable(const fs::path& p) {
    return ::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p);
}

/** The last few lines of a file (the browser's complaints), for an error message. */
std::string tail(const fs::path& p, std::size_t lines) {
    std::ifstream in(p);
    std::vector<std::string> all;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) all.push_back(line);
    std::string out;
    for (std::size_t k = all.size() > lines ? all.size() - lines : 0; k < all.size(); ++k)
        out += "\n  " + all[k];
    return out;
}

/** Replaces the digits of every "(D:YYYYMMDDHHmmSS" with 2000-01-01 00:00:00, same length, so
    the cross-reference offsets stay right. */
void fix_dates(const fs::path& pdf) {
    std::ifstream in(pdf, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    static const std::string fixed = "20000101000000";
    bool changed = false;
    for (std::size_t at = bytes.find("(D:"); at != std::string::npos;
         at = bytes.find("(D:", at + 3)) {
        const std::size_t d = at + 3;
        std::size_t n = 0;
        while (n < fixed.size() && d + n < bytes.size() && bytes[d + n] >= '0' &&
               bytes[d + n] <= '9')
            ++n;
        if (n == fixed.size()) {
            bytes.replace(d, n, fixed);
            changed = true;
        }
    }
    if (!changed) return;
    std::ofstream out(pdf, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw OutputError("cannot rewrite the PDF's dates").set_file(pdf.string());
}

}  // namespace

std::string find_chromium() {
    if (const char* own = std::getenv("LIFECIRCLE_CHROMIUM"); own && *own)
        return executable(own) ? own : "";
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    std::vector<std::string> folders;
    for (std::string d; std::getline(dirs, d, ':');)
        if (!d.empty()) folders.push_back(d);
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"})
        for (const std::string& d : folders)
            if (executable(fs::path(d) / name)) return (fs::path(d) / name).string();
    return {};
}

void require_chromium(const std::string& option) {
    if (find_chromium().empty())
        throw UsageError(
            option +
            " prints the report with headless Chromium, which is not installed: install it "
            "(Debian: apt-get install chromium), or leave out " +
            option + " and print report.html from a browser");
}

void print_pdf(const std::string& html_path, const std::string& pdf_path, const std::string& option,
               double timeout_s) {
    require_chromium(option);
    const std::string browser = find_chromium();
    std::error_code ec;
    const fs::path tmp = fs::temp_directory_path(ec);
    std::string profile_template =
        ((ec ? fs::path("/tmp") : tmp) / "lifecircle-pdf-XXXXXX").string();
    if (!::mkdtemp(profile_template.data()))
        throw OutputError("cannot make a temporary browser profile in " + tmp.string() +
                          "; check TMPDIR")
            .set_file(pdf_path);
    const fs::path profile(profile_template);
    const fs::path log = profile / "browser.log";
    const std::string url = "file://" + fs::absolute(html_path).string();
    std::vector<std::string> args = {browser,
                                     "--headless=new",
                                     "--disable-gpu",
                                     "--no-sandbox",
                                     "--user-data-dir=" + profile.string(),
                                     "--no-first-run",
                                     "--no-default-browser-check",
                                     "--disable-extensions",
                                     "--disable-sync",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--host-resolver-rules=MAP * ~NOTFOUND",
                                     "--proxy-server=127.0.0.1:9",
                                     "--no-pdf-header-footer",
                                     "--virtual-time-budget=10000",
                                     "--print-to-pdf=" + fs::absolute(pdf_path).string(),
                                     url};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr,
                             POSIX_SPAWN_SETPGROUP);  // its own group: a timeout ends all of it
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, browser.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    const auto cleanup = [&] { fs::remove_all(profile, ec); };
    if (spawned != 0) {
        cleanup();
        throw OutputError("cannot start " + browser + " to print the PDF").set_file(pdf_path);
    }
    const auto start = std::chrono::steady_clock::now();
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0) {
            status = -1;
            break;
        }
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >
            timeout_s) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            const std::string words = tail(log, 5);
            cleanup();
            throw OutputError("headless Chromium took over " +
                              std::to_string(static_cast<int>(timeout_s)) +
                              " s to print the report and was stopped" + words)
                .set_file(pdf_path);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const bool ok = status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
                    fs::exists(pdf_path) && fs::file_size(pdf_path, ec) > 0;
    if (!ok) {
        const std::string words = tail(log, 5);
        cleanup();
        throw OutputError("headless Chromium (" + browser + ") could not print the report" + words)
            .set_file(pdf_path);
    }
    cleanup();
    fix_dates(pdf_path);
}

}  // namespace lifecircle::io
