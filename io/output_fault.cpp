#include "io/output_fault.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace lifecircle::io::fault {

namespace {

struct Rule {
    bool kill = false;
    Op op = Op::write;
    unsigned long n = 0;
    bool and_later = false;
    int error = EIO;        // for write, sync, rename
    int signal = SIGKILL;   // for kill
    std::string name;       // empty: every file
    unsigned long seen = 0;
};

struct State {
    std::mutex mutex;
    bool loaded = false;
    std::vector<Rule> rules;
    std::string error;
};

State& state() {
    static State s;
    return s;
}

/** Parses one rule; returns "" or why not. */
std::string parse_rule(std::string item, Rule& rule) {
    const auto at = item.find('@');
    if (at != std::string::npos) {
        rule.name = item.substr(at + 1);
        item.resize(at);
        if (rule.name.empty()) return "'@' needs a file name after it";
    }
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto colon = item.find(':', start);
        parts.push_back(item.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    if (parts.size() < 2 || parts.size() > 3) return "a rule is OP:N[+][:WHAT][@NAME]";
    const std::string& op = parts[0];
    if (op == "kill")
        rule.kill = true;
    else if (op == "write")
        rule.op = Op::write;
    else if (op == "sync")
        rule.op = Op::sync;
    else if (op == "rename")
        rule.op = Op::rename;
    else
        return "unknown operation '" + op + "' (write, sync, rename or kill)";
    std::string count = parts[1];
    if (!count.empty() && count.back() == '+') {
        rule.and_later = true;
        count.pop_back();
    }
    if (count.empty() || count.find_first_not_of("0123456789") != std::string::npos || count.size() > 9)
        return "'" + parts[1] + "' is not a count (1, 2, ... or 3+)";
    rule.n = std::stoul(count);
    if (rule.n == 0) return "counts start at 1";
    if (parts.size() == 3) {
        const std::string& what = parts[2];
        if (rule.kill) {
            if (what == "KILL")
                rule.signal = SIGKILL;
            else if (what == "TERM")
                rule.signal = SIGTERM;
            else if (what == "INT")
                rule.signal = SIGINT;
            else
                return "unknown signal '" + what + "' (KILL, TERM or INT)";
        } else if (what == "EIO") {
            rule.error = EIO;
        } else if (what == "ENOSPC") {
            rule.error = ENOSPC;
        } else {
            return "unknown error '" + what + "' (EIO or ENOSPC)";
        }
    }
    return {};
}

/** Loads the rules from the environment; the caller holds the mutex. */
void load(State& s) {
    s.loaded = true;
    s.rules.clear();
    s.error.clear();
    const char* spec = std::getenv("LIFECIRCLE_FAULT");
    if (spec == nullptr || *spec == '\0') return;
    const std::string text(spec);
    std::size_t start = 0;
    for (;;) {
        const auto comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        Rule rule;
        const std::string why = parse_rule(item, rule);
        if (!why.empty()) {
            s.rules.clear();
            s.error = "LIFECIRCLE_FAULT='" + text + "' (a test-only setting) is not understood: '" + item + "': " + why;
            return;
        }
        s.rules.push_back(rule);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
}

}  // namespace

int check(Op op, std::string_view name) noexcept {
    State& s = state();
    int error = 0;
    int signal = 0;
    {
        std::lock_guard lock(s.mutex);
        if (!s.loaded) load(s);
        if (!s.error.empty()) return EINVAL;
        for (Rule& rule : s.rules) {
            if (!rule.kill && rule.op != op) continue;
            if (!rule.name.empty() && rule.name != name) continue;
            ++rule.seen;
            const bool hit = rule.seen == rule.n || (rule.and_later && rule.seen > rule.n);
            if (!hit) continue;
            if (rule.kill)
                signal = rule.signal;
            else if (error == 0)
                error = rule.error;
        }
    }
    // Outside the lock: a signal handler or a deferred signal may run output code again.
    if (signal != 0) std::raise(signal);
    return error;
}

void reset() noexcept {
    State& s = state();
    std::lock_guard lock(s.mutex);
    load(s);
}

std::string spec_error() {
    State& s = state();
    std::lock_guard lock(s.mutex);
    if (!s.loaded) load(s);
    return s.error;
}

}  // namespace lifecircle::io::fault
