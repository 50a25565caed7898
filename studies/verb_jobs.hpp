#pragma once
/**
 * The verbs' studies with the files they write, each one call: the options as a struct in, the
 * files written (checked before any work, committed at the end), what to print back. The command
 * line only parses options into these structs and prints; the coverage study's is in
 * studies/coverage_run.hpp.
 */

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/demand.hpp"
#include "io/output.hpp"
#include "studies/area.hpp"
#include "studies/callbacks.hpp"
#include "studies/sharded_run.hpp"
#include "studies/suggestion.hpp"
#include "studies/transit.hpp"
#include "studies/travel.hpp"

namespace lifecircle::studies {

/** "a,b,c" as items (spaces around them trimmed, empty ones dropped). */
std::vector<std::string> split_list(const std::string& text);

/** Checks the inputs (option, path; a folder is an InputError), then declares and checks the
    outputs against them (notes to `reporter`). */
io::OutputPlan plan_outputs(std::vector<io::OutputRequest> outputs,
                            const std::vector<std::pair<std::string, std::string>>& inputs,
                            const Reporter& reporter);

/** Writes layers into the planned files (per_file[f] into file f), the writer's notes to
 * `reporter`. */
void write_files(io::OutputPlan& plan, std::vector<std::vector<Layer>> per_file,
                 const std::string& crs, bool update, unsigned threads, const Reporter& reporter);

/** The network a verb reads: what, for which profile, and by public transport the feeds. */
struct NetworkJob {
    NetworkSpec spec;
    ProfileSettings profile;
    std::optional<TransitSpec> transit;
    unsigned threads = 0;
};

/** Service areas (isochrones) to files. */
struct IsochroneJob {
    NetworkJob network;
    /** The study; its breaks come from `minutes`, its threads from the network's. */
    IsochroneStudyOptions study;
    /** Breaks in minutes, comma-separated. */
    std::string minutes = "5,10,15";
    std::string out, lines, layer_name, lines_layer_name;
    bool update = false;
};

/** Areas written, and for how many placed facilities. */
struct IsochroneJobResult {
    std::size_t areas = 0, placed = 0;
};
IsochroneJobResult run_isochrone_job(IsochroneJob job, const Reporter& reporter);

/** A travel-time matrix to a file (.csv, .gpkg, .parquet). */
struct MatrixJob {
    NetworkJob network;
    MatrixOptions matrix;
    /** The id field and CRS of both layers unless each names its own. */
    std::string id_field = "id", input_crs;
    std::optional<double> max_minutes;
    std::string out, layer_name = "matrix";
    bool update = false;
};
/** Runs it; the pairs written. */
std::size_t run_matrix_job(MatrixJob job, const Reporter& reporter);

/** Residents estimated from buildings, to a layer. */
struct DemandJob {
    NetworkJob network;
    std::string buildings;
    io::BuildingResidentsOptions options;
    std::string out, layer_name = "residents";
    bool update = false;
};
/** Runs it; the residents as estimated. */
io::DemandSet run_demand_job(DemandJob job, const Reporter& reporter);

/** The facilities of one kind in an OpenStreetMap file, to a point layer; how many. */
std::size_t run_facilities_job(const std::string& osm_file, const std::string& kind,
                               const std::string& out, const std::string& layer_name, bool update,
                               const Reporter& reporter);

/** Suggested sites on the road network, to a layer and a summary. */
struct SuggestionJob {
    AreaSpec spec;
    SuggestionOptions options;
    std::optional<TransitSpec> transit;
    std::string out, summary;
    bool update = false;
    /** In shards: an own standards catalogue (an input of the run), and the verb's arguments
        without the sharding and logging options (every shard must be given the same). */
    std::string standards_file;
    std::vector<std::string> args;
};
/** A finished suggestion, for the caller's tables. */
struct SuggestionRun {
    std::unique_ptr<StudyArea> area;
    SuggestionOptions options;
    SuggestionResult result;
};
SuggestionRun run_suggestion_job(const SuggestionJob& job, const Reporter& reporter);

/** The job as a sharded study (studies/sharded_run.hpp, verb "suggest"): the shards tabulate
    the existing facilities and the candidate layer; UsageError when it cannot run in shards
    (check_sharded_suggestion). */
ShardedStudy sharded_study(const SuggestionJob& job);
/** Merges the shards of the run planned in `dir` (absolute) and chooses the sites on the merged
    tables (run_suggestion_on_shards), into the job's outputs. */
SuggestionRun merge_suggestion(const SuggestionJob& job, const std::string& dir, const Reporter& reporter);

/** Suggested sites on a matrix another tool made, to a CSV and a summary. */
MatrixSuggestionResult run_matrix_suggestion_job(const MatrixSuggestionOptions& options,
                                                 const std::string& out, const std::string& summary,
                                                 const Reporter& reporter);

}  // namespace lifecircle::studies
