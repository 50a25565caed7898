#pragma once
/**
 * The merge of a sharded service study (studies/shard.hpp): arithmetic on the shards' results,
 * never a second implementation of the figures. The residents of every shard are put back in
 * the input's order (features by FID, each feature's points as read); their answers (minutes,
 * metres, nearest facility, covered) are concatenated; the facility x resident pairs of the
 * shards form the whole run's table. service_figures() then computes every figure from them as
 * the whole run does: shares, means and the Gini index over the merged residents (a district
 * split across shards is one district again), the seats by one exact assignment over the merged
 * table (each connected component of it), E2SFCA/BFCA with each facility's demand from every
 * shard, the gap map on the one hexagon grid anchored at the work CRS's origin.
 */

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "studies/area.hpp"
#include "studies/callbacks.hpp"
#include "studies/service.hpp"
#include "studies/shard.hpp"

namespace lifecircle::studies {

/** A merged sharded study. */
struct MergedStudy {
    /** The residents of every shard in the input's order, their districts and membership; no
        network (the shards had theirs): its work CRS only. */
    std::unique_ptr<StudyArea> area;
    /** The study's result, as run_service() gives it for the whole run (no service areas). */
    ServiceResult result;
    /** The facility x resident pairs within the standard (capacity runs and suggestions). */
    std::optional<TimeTable> pairs;
    /** A suggestion's candidate sites: every one, where its owner placed it, and the pairs of
        them with every resident within the standard (ShardResult::sites, merged). */
    struct Sites {
        FacilitySet set;
        std::vector<Snap> snaps;
        TimeTable pairs;
    };
    std::optional<Sites> sites;
    /** The largest halo a shard needed, and how many shards read their roads more than once. */
    double largest_halo_m = 0.0;
    std::size_t shards_read_again = 0;
};

/**
 * Reads the results in `folder` (shard_file_name() each). Missing ones are an InputError naming
 * them (with what a `<name>.failed` note beside them says) and how to run them; results of
 * another plan, or damaged, are an InputError naming the shard and saying to run it again.
 */
std::vector<ShardResult> load_shard_results(const ShardPlan& plan, const std::string& folder);

/** The bytes of a shard of several studies (a plan): each study's shard_result_bytes(). */
std::string shard_studies_bytes(const std::vector<std::string>& results);
/** Reads the results of a run of `studies` studies per shard: per study, one result per shard;
    refused as load_shard_results() refuses. */
std::vector<std::vector<ShardResult>> load_shard_studies(const ShardPlan& plan, const std::string& folder,
                                                         std::size_t studies);

/**
 * Merges the shards' results (one per shard of `plan`, any order). InputError when they do not
 * belong together (another plan, another facility set or districts, a feature owned twice or by
 * none) and, as the whole run would, when the demand has no resident, none is on the roads or no
 * facility is placed. `spec` names the inputs in messages; `threads` for the assignment.
 */
MergedStudy merge_shards(const ShardPlan& plan, std::vector<ShardResult> results, const AreaSpec& spec,
                         const ServiceOptions& options, const Reporter& reporter);

}  // namespace lifecircle::studies
