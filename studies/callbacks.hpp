#pragma once
/**
 * How a study talks back while it runs: progress of its long phases, notes and warnings for the
 * user, and cancellation. The command line draws them on stderr, the Python module hands them to
 * a Python callable, the QGIS provider to QgsProcessingFeedback; the study itself never prints.
 */

#include <cstddef>
#include <functional>
#include <string>

#include "core/error.hpp"
#include "core/parallel.hpp"

namespace lifecircle::studies {

/** Something to tell the user that is not an error. */
struct Notice {
    enum class Level { note, warning };
    Level level = Level::note;
    std::string text;
};

/** The callbacks of one study; every member may be empty. */
struct Callbacks {
    /** A long phase progressed: its label ("candidate searches"), items done and total. May be
        called from any thread. */
    std::function<void(const std::string& phase, std::size_t done, std::size_t total)> progress;
    /** Polled between work items; true cancels the study: it throws Cancelled within about a
        second and nothing is written. May be called from any thread. */
    std::function<bool()> cancelled;
    /** A note or a warning. */
    std::function<void(const Notice&)> notice;
};

/** The callbacks with the helpers a study needs; cheap to copy. */
class Reporter {
public:
    Reporter() = default;
    explicit Reporter(Callbacks callbacks) : m_callbacks(std::move(callbacks)) {}

    void note(const std::string& text) const {
        if (m_callbacks.notice) m_callbacks.notice({Notice::Level::note, text});
    }
    void warning(const std::string& text) const {
        if (m_callbacks.notice) m_callbacks.notice({Notice::Level::warning, text});
    }
    /** Throws Cancelled when the caller asked to stop. */
    void check() const {
        if (m_callbacks.cancelled && m_callbacks.cancelled()) throw Cancelled();
    }
    /** Reports `done` of `total` for `phase`. */
    void progress(const std::string& phase, std::size_t done, std::size_t total) const {
        if (m_callbacks.progress) m_callbacks.progress(phase, done, total);
    }
    /** ParallelOptions for a phase of `threads` threads: its progress and the cancellation. */
    ParallelOptions parallel(const std::string& phase, unsigned threads, std::size_t every = 1) const {
        ParallelOptions p;
        p.threads = threads;
        p.progress_every = every;
        if (m_callbacks.progress) {
            auto cb = m_callbacks.progress;
            p.progress = [cb, phase](std::size_t done, std::size_t total) { cb(phase, done, total); };
        }
        p.cancelled = m_callbacks.cancelled;
        return p;
    }
    const Callbacks& callbacks() const { return m_callbacks; }

private:
    Callbacks m_callbacks;
};

}  // namespace lifecircle::studies
