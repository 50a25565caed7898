#include "py_callbacks.hpp"

#include <utility>

namespace lifecircle::python {

namespace {

/** The least time between two progress calls of a phase (its first and last always go). */
constexpr auto progress_every = std::chrono::milliseconds(100);
/** How often the main thread looks for Ctrl-C while a study runs. */
constexpr auto signals_every = std::chrono::milliseconds(100);
/** How often the caller's cancelled() is asked (from whichever thread polls). */
constexpr auto poll_every = std::chrono::milliseconds(50);

}  // namespace

PyCallbacks::PyCallbacks(py::object progress, py::object notice, py::object cancelled)
    : m_progress(std::move(progress)),
      m_notice(std::move(notice)),
      m_cancelled(std::move(cancelled)),
      m_main(std::this_thread::get_id()) {}

PyCallbacks::~PyCallbacks() {
    // The error and the callables are Python objects: dropped with the GIL (held by the caller).
    m_error.reset();
}

studies::Reporter PyCallbacks::study_reporter() {
    studies::Callbacks cb;
    if (!m_progress.is_none())
        cb.progress = [this](const std::string& phase, std::size_t done, std::size_t total) {
            on_progress(phase, done, total);
        };
    cb.cancelled = [this] { return on_cancelled(); };
    if (!m_notice.is_none()) cb.notice = [this](const studies::Notice& n) { on_notice(n); };
    return studies::Reporter(std::move(cb));
}

void PyCallbacks::keep_error() {
    if (!m_error)
        m_error.emplace();  // fetches (and clears) the Python error
    else
        PyErr_Clear();
    m_stop = true;
}

void PyCallbacks::on_progress(const std::string& phase, std::size_t done, std::size_t total) {
    if (m_stop) return;
    {
        const std::lock_guard lock(m_mutex);
        const auto now = std::chrono::steady_clock::now();
        const bool due =
            done >= total || phase != m_last_phase || now - m_last_progress >= progress_every;
        if (!due) return;
        m_last_phase = phase;
        m_last_progress = now;
    }
    py::gil_scoped_acquire gil;
    if (m_stop) return;
    try {
        const py::object answer = m_progress(phase, done, total);
        if (!answer.is_none() && !answer.cast<bool>()) m_stop = true;
    } catch (py::error_already_set& e) {
        e.restore();
        keep_error();
    }
}

bool PyCallbacks::on_cancelled() {
    if (m_stop) return true;
    if (!m_cancelled.is_none()) {
        const std::int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
        std::int64_t last = m_last_poll.load();
        const std::int64_t every =
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(poll_every).count();
        if (now - last >= every && m_last_poll.compare_exchange_strong(last, now)) {
            py::gil_scoped_acquire gil;
            try {
                if (m_cancelled().cast<bool>()) m_stop = true;
            } catch (py::error_already_set& e) {
                e.restore();
                keep_error();
            }
            if (m_stop) return true;
        }
    }
    if (std::this_thread::get_id() != m_main) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last_signals < signals_every) return false;
    m_last_signals = now;  // only the main thread reads and writes it
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) keep_error();
    return m_stop;
}

void PyCallbacks::on_notice(const studies::Notice& n) {
    py::gil_scoped_acquire gil;
    try {
        m_notice(n.level == studies::Notice::Level::warning ? "warning" : "note", n.text);
    } catch (py::error_already_set& e) {
        e.restore();
        keep_error();
    }
}

void PyCallbacks::raise_if_error() {
    if (!m_error) return;
    py::error_already_set e = std::move(*m_error);
    m_error.reset();
    throw e;
}

void PyCallbacks::raise_if_stopped() {
    if (!m_stop) return;
    raise_if_error();
    throw Cancelled();
}

}  // namespace lifecircle::python
