#pragma once
/**
 * The study callbacks (studies/callbacks.hpp) of one Python call: progress to a Python callable
 * (which may stop the study by returning False or raising), notes and warnings to another, and
 * Ctrl-C. Studies call them from worker threads while the GIL is released; each call into Python
 * takes the GIL for itself.
 */

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <pybind11/pybind11.h>

#include "studies/callbacks.hpp"

namespace lifecircle::python {

namespace py = pybind11;

/** The callbacks of one call; create it with the GIL held, run the study without it. */
class PyCallbacks {
public:
    /** `progress(phase, done, total)`, `notice(level, text)` and `cancelled()` (polled while the
        study runs, at most every 50 ms; true stops it) may be None. */
    PyCallbacks(py::object progress, py::object notice, py::object cancelled = py::none());
    ~PyCallbacks();
    PyCallbacks(const PyCallbacks&) = delete;
    PyCallbacks& operator=(const PyCallbacks&) = delete;

    /** The reporter a study takes; valid while this object lives. */
    studies::Reporter study_reporter();

    /** Whether the study was asked to stop (the callable said so, raised, or Ctrl-C). */
    bool stopped() const { return m_stop.load(); }

    /**
     * Call with the GIL held after the study threw Cancelled: raises the Python exception a
     * callable (or Ctrl-C) raised, or lifecircle.Cancelled when one asked to stop. Does nothing
     * when the study was not stopped.
     */
    void raise_if_stopped();
    /** Call with the GIL held after the study returned: raises what a callable raised, if any. */
    void raise_if_error();

private:
    void on_progress(const std::string& phase, std::size_t done, std::size_t total);
    bool on_cancelled();
    void on_notice(const studies::Notice& notice);
    /** Keeps the first Python error (GIL held) and stops the study. */
    void keep_error();

    py::object m_progress;
    py::object m_notice;
    py::object m_cancelled;
    std::atomic<std::int64_t> m_last_poll{0};  ///< steady-clock ticks of the last cancelled() call
    std::atomic<bool> m_stop{false};
    std::thread::id m_main;
    std::mutex m_mutex;  ///< the throttle's state; never held while waiting for the GIL
    std::string m_last_phase;
    std::chrono::steady_clock::time_point m_last_progress{}, m_last_signals{};
    std::optional<py::error_already_set> m_error;  ///< set and read with the GIL held
};

}  // namespace lifecircle::python
