#include <algorithm>
#include <exception>
#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "core/words.hpp"
#include "studies/console.hpp"

namespace {

/** What looks mistyped on the command line, in words (a verb, or an option of the verb, with the
    nearest that exists); empty when nothing does. */
std::string mistyped(CLI::App& app, int argc, char** argv) {
    if (argc < 2 || argv[1][0] == '-') return {};
    std::vector<std::string> names;
    for (const CLI::App* v : app.get_subcommands({})) names.push_back(v->get_name());
    std::string near = lifecircle::nearest_word(argv[1], names);
    if (std::find(names.begin(), names.end(), argv[1]) == names.end())
        return "unknown verb '" + std::string(argv[1]) + "'" + (near.empty() ? "" : " (did you mean " + near + "?)") +
               "; the verbs are " + CLI::detail::join(names, ", ");
    const CLI::App* verb = app.get_subcommand(argv[1]);
    names.clear();
    for (const CLI::Option* o : verb->get_options())
        for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
    for (int i = 2; i < argc && std::string(argv[i]) != "--"; ++i) {
        const std::string word = std::string(argv[i]).substr(0, std::string(argv[i]).find('='));
        if (word.rfind("--", 0) != 0 || std::find(names.begin(), names.end(), word) != names.end()) continue;
        near = lifecircle::nearest_word(word, names);
        return "unknown option " + word + " of " + argv[1] +
               (near.empty() ? " (see lifecircle " + std::string(argv[1]) + " --help)" : "; did you mean " + near + "?");
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    using namespace lifecircle;
    using namespace lifecircle::cli;
    CLI::App app{"lifecircle: who is within a 15-minute walk of a clinic, kindergarten or meal point, by road.",
                 "lifecircle"};
    app.set_version_flag("--version", std::string("lifecircle ") + LIFECIRCLE_VERSION);
    app.require_subcommand(1, 1);
    app.footer("Exit codes: 0 ok, 1 internal error, 2 usage error, 3 bad input, 4 output could not be written.\n"
               "Map data from OpenStreetMap is (c) OpenStreetMap contributors, ODbL 1.0.");
    Runner run;
    set_command_line(std::vector<std::string>(argv, argv + argc));
    add_network_info(app, run);
    add_matrix(app, run);
    add_isochrones(app, run);
    add_facilities(app, run);
    add_coverage(app, run);
    add_demand(app, run);
    add_standards(app, run);
    add_suggest(app, run);
    add_plan(app, run);
    add_demo(app, run);
    add_merge(app, run);
    add_slurm(app, run);
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {  // --help, --help-all, --version
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        const std::string slip = mistyped(app, argc, argv);
        print_error(slip.empty() ? std::string(e.what()) + " (see lifecircle --help)" : slip);
        return exit_usage;
    }
    // A result written to stdout (--out -) keeps stdout to itself: the report goes to stderr.
    for (const CLI::App* verb : app.get_subcommands())
        for (const char* name : {"--out", "--summary"})
            if (const CLI::Option* o = verb->get_option_no_throw(name); o && o->count() > 0)
                for (const std::string& v : o->results())
                    if (v == "-" || v == "/dev/stdout") studies::set_console_stream(stderr);
    try {
        return run ? run() : exit_usage;
    } catch (const Error& e) {
        print_error(e.what());
        return dynamic_cast<const UsageError*>(&e) ? exit_usage : dynamic_cast<const OutputError*>(&e) ? exit_output
                                                                                                        : exit_input;
    } catch (const std::bad_alloc&) {
        print_error("out of memory");
        return exit_internal;
    } catch (const std::exception& e) {
        print_error(std::string("internal error: ") + e.what());
        return exit_internal;
    }
}
