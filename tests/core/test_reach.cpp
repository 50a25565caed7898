#include <algorithm>
#include <cmath>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/graph.hpp"
#include "core/reach.hpp"
#include "core/search.hpp"
#include "helpers.hpp"

using namespace lifecircle;
using namespace lifecircle::test;
using Catch::Detail::Approx;

namespace {

void check_piece(const ReachedPiece& p, EdgeId e, Meters from, Meters to, Seconds t_from, Seconds t_to,
                 std::uint32_t origin) {
    CHECK(p.edge == e);
    CHECK(p.from == Approx(from).margin(1e-9));
    CHECK(p.to == Approx(to).margin(1e-9));
    CHECK(p.t_from == Approx(t_from).margin(1e-6));
    CHECK(p.t_to == Approx(t_to).margin(1e-6));
    CHECK(p.origin == origin);
}

}  // namespace

TEST_CASE("reached pieces around a seed in the middle of an edge", "[reach]") {
    //  A---B---C
    //  |
    //  D
    const TestGraph t = ascii_graph(R"(
A---B---C
|
D
)",
                                    {{"ABC", road()}, {"AD", road()}});
    const ProfileId walk{};
    SearchWorkspace ws(t.graph.node_count());
    const Seed s{t.at("AB", 30), 0.0, 4};
    search(t.graph, walk, std::span<const Seed>(&s, 1), 50.0, ws);
    const std::vector<ReachedPiece> pieces = reached_pieces(t.graph, ws, 50.0);
    // AB: back to A (30 s) and 50 m on towards B; AD: 20 m from A. BC is not reached.
    REQUIRE(pieces.size() == 3);
    REQUIRE(t.e("AB") < t.e("AD"));
    check_piece(pieces[0], t.e("AB"), 0, 30, 30, 0, 4);
    check_piece(pieces[1], t.e("AB"), 30, 80, 0, 50, 4);
    check_piece(pieces[2], t.e("AD"), 0, 20, 30, 50, 4);

    // A smaller max_time than the search cutoff trims the same search.
    const std::vector<ReachedPiece> small = reached_pieces(t.graph, ws, 10.0);
    REQUIRE(small.size() == 2);
    check_piece(small[0], t.e("AB"), 20, 30, 10, 0, 4);
    check_piece(small[1], t.e("AB"), 30, 40, 0, 10, 4);
}

TEST_CASE("two seeds split a street where their times meet", "[reach]") {
    //  A---B---C---D---E
    const TestGraph t = ascii_graph("A---B---C---D---E", {{"ABCDE", road()}});
    SearchWorkspace ws(t.graph.node_count());
    // Seed 1 at A; seed 2 at E, 40 s late. They meet 220 m from A (220 s = 40 + 180 s), on CD
    // 20 m from C.
    const std::vector<Seed> seeds{{t.at("AB", 0), 0.0, 1}, {t.at("ED", 0), 40.0, 2}};
    search(t.graph, ProfileId{}, std::span<const Seed>(seeds), 1000.0, ws);
    const std::vector<ReachedPiece> pieces = reached_pieces(t.graph, ws, 1000.0);
    std::vector<ReachedPiece> on_cd;
    for (const ReachedPiece& p : pieces)
        if (p.edge == t.e("CD")) on_cd.push_back(p);
    REQUIRE(on_cd.size() == 2);
    check_piece(on_cd[0], t.e("CD"), 0, 20, 200, 220, 1);
    check_piece(on_cd[1], t.e("CD"), 20, 100, 220, 140, 2);
    // The whole street is covered.
    double covered = 0;
    for (const ReachedPiece& p : pieces) covered += p.to - p.from;
    CHECK(covered == Approx(400.0));
}

TEST_CASE("oneway: a drive search reaches only downstream", "[reach]") {
    //  A---B---C, A->B oneway, B-C two-way; 36 km/h = 10 m/s
    const TestGraph t = ascii_graph("A---B---C",
                                    {{"AB", road(RoadClass::residential, Oneway::forward, 36)},
                                     {"BC", road(RoadClass::residential, Oneway::no, 36)}},
                                    {walk_1mps(), drive_plain()});
    const ProfileId drive = t.profile(Mode::drive);
    SearchWorkspace ws(t.graph.node_count());
    const Seed s{t.at("AB", 50), 0.0, 0};
    search(t.graph, drive, std::span<const Seed>(&s, 1), 8.0, ws);
    const std::vector<ReachedPiece> pieces = reached_pieces(t.graph, ws, 8.0);
    REQUIRE(pieces.size() == 2);
    check_piece(pieces[0], t.e("AB"), 50, 100, 0, 5, 0);
    check_piece(pieces[1], t.e("BC"), 0, 30, 5, 8, 0);
}

TEST_CASE("a drive seed at the start of a oneway edge reaches every road out of the junction", "[reach]") {
    //  A---B---C     A->B oneway, the rest two-way, 10 m/s. The seed stands at A, offset 0 of AB.
    //  |       |
    //  D---E---F
    const TestGraph t = oneway_corner_block();
    const ProfileId drive = t.profile(Mode::drive);
    SearchWorkspace ws(t.graph.node_count());
    const Seed s{t.at("AB", 0), 0.0, 0};
    search(t.graph, drive, std::span<const Seed>(&s, 1), 15.0, ws);
    const std::vector<ReachedPiece> pieces = reached_pieces(t.graph, ws, 15.0);
    auto reached_m = [&](const std::string& key) {
        double m = 0;
        for (const ReachedPiece& p : pieces)
            if (p.edge == t.e(key)) m += p.to - p.from;
        return m;
    };
    CHECK(reached_m("AB") == Approx(100.0));
    CHECK(reached_m("BC") == Approx(50.0));
    CHECK(reached_m("DA") == Approx(100.0));  // not possible if A were not reached at 0 s
    CHECK(reached_m("ED") == Approx(50.0));
    CHECK(reached_m("CF") == Approx(0.0).margin(1e-9));
    CHECK(reached_m("FE") == Approx(0.0).margin(1e-9));
}

namespace {

struct ReachCase {
    std::uint32_t grid_seed;
    Mode mode;
    int seeds;
    Seconds search_cutoff;
    Seconds max_time;
};

}  // namespace

TEST_CASE("reached pieces agree with time_to sampled every metre", "[reach][oracle]") {
    const ReachCase cases[] = {
        {31, Mode::walk, 1, 600.0, 600.0},
        {32, Mode::walk, 3, 500.0, 500.0},
        {33, Mode::drive, 3, 60.0, 60.0},
        {34, Mode::walk, 2, 800.0, 450.0},  // pieces of a search that went further
        {35, Mode::drive, 1, 90.0, 90.0},
    };
    for (const ReachCase& rc : cases) {
        INFO("grid " << rc.grid_seed << " mode " << mode_name(rc.mode) << " seeds " << rc.seeds);
        RawNetwork raw = random_grid(rc.grid_seed, {.side = 15});
        BuildOptions options;
        options.profiles = {walk_1mps(), default_profile(Mode::drive, 3.6)};
        const RoadGraph g = build_graph(std::move(raw), options);
        const ProfileId p = g.profile_id(rc.mode);
        const std::vector<float>& w = g.profile(p).arc_seconds;
        std::mt19937 rng(rc.grid_seed);
        std::uniform_int_distribution<EdgeId> pick_edge(0, static_cast<EdgeId>(g.edge_count() - 1));
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        std::vector<Seed> seeds;
        while (static_cast<int>(seeds.size()) < rc.seeds) {
            const EdgeId e = pick_edge(rng);
            if (w[g.edge_forward_arc[e]] == forbidden_arc && w[g.edge_backward_arc[e]] == forbidden_arc) continue;
            seeds.push_back({{e, unit(rng) * g.edge_length_m[e]}, 30.0 * unit(rng),
                             static_cast<std::uint32_t>(seeds.size())});
        }
        SearchWorkspace ws(g.node_count());
        search(g, p, std::span<const Seed>(seeds), rc.search_cutoff, ws);
        // One search per seed, to know every origin's own time.
        std::vector<SearchWorkspace> single;
        for (const Seed& s : seeds) {
            single.emplace_back(g.node_count());
            search(g, p, std::span<const Seed>(&s, 1), rc.search_cutoff, single.back());
        }
        const std::vector<ReachedPiece> pieces = reached_pieces(g, ws, rc.max_time);
        REQUIRE(!pieces.empty());

        // Shape of the result: edge order, then offset; no overlaps; within the edge and time.
        std::vector<std::vector<const ReachedPiece*>> by_edge(g.edge_count());
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            const ReachedPiece& pc = pieces[i];
            REQUIRE(pc.edge < g.edge_count());
            CHECK(pc.from < pc.to);
            CHECK(pc.from >= 0.0);
            CHECK(pc.to <= g.edge_length_m[pc.edge] + 1e-9);
            CHECK(pc.t_from <= rc.max_time + 1e-9);
            CHECK(pc.t_to <= rc.max_time + 1e-9);
            CHECK(pc.origin < seeds.size());
            if (i > 0) {
                const ReachedPiece& prev = pieces[i - 1];
                CHECK(prev.edge <= pc.edge);
                if (prev.edge == pc.edge) CHECK(prev.to <= pc.from + 1e-9);
            }
            by_edge[pc.edge].push_back(&pc);
        }

        auto time_at = [&](EdgeId e, double x, std::uint32_t* origin) {
            return time_to(g, ws, {e, x}, origin);
        };
        auto origin_ok = [&](EdgeId e, double x, std::uint32_t origin) {
            double best = unreachable;
            std::vector<double> own(seeds.size());
            for (std::size_t i = 0; i < seeds.size(); ++i) {
                own[i] = time_to(g, single[i], {e, x});
                best = std::min(best, own[i]);
            }
            return origin < seeds.size() && own[origin] <= best + 1e-4;
        };

        std::size_t inside_samples = 0;
        for (EdgeId e = 0; e < g.edge_count(); ++e) {
            const double len = g.edge_length_m[e];
            for (double x = 0.0;; x += 1.0) {
                const double xs = std::min(x, len);
                std::uint32_t origin = invalid_index;
                const Seconds t = time_at(e, xs, &origin);
                // The multi-seed time is the minimum over the seeds' own times.
                double own_best = unreachable;
                for (const SearchWorkspace& s : single) own_best = std::min(own_best, time_to(g, s, {e, xs}));
                if (own_best <= rc.search_cutoff) CHECK(t == Approx(own_best).margin(1e-6));
                // A node (either end) is covered by whichever edges can be travelled from or to
                // it, which need not include this one (a motorway for a walker, a oneway).
                if (t <= rc.max_time - 1e-6 && xs > 0.0 && xs < len) {
                    ++inside_samples;
                    bool covered = false;
                    for (const ReachedPiece* pc : by_edge[e]) covered = covered || (xs >= pc->from - 1e-6 && xs <= pc->to + 1e-6);
                    INFO("edge " << e << " at " << xs << " reached at " << t);
                    CHECK(covered);
                }
                if (xs >= len) break;
            }
            for (const ReachedPiece* pc : by_edge[e]) {
                // Interior samples: every metre and the middle.
                std::vector<double> xs{0.5 * (pc->from + pc->to)};
                for (double x = std::ceil(pc->from); x < pc->to; x += 1.0)
                    if (x > pc->from) xs.push_back(x);
                for (double x : xs) {
                    const double f = (x - pc->from) / (pc->to - pc->from);
                    const double linear = pc->t_from + f * (pc->t_to - pc->t_from);
                    std::uint32_t origin = invalid_index;
                    const Seconds t = time_at(e, x, &origin);
                    INFO("edge " << e << " piece [" << pc->from << ", " << pc->to << "] at " << x);
                    CHECK(t == Approx(linear).margin(1e-3));
                    CHECK(t <= rc.max_time + 1e-6);
                    CHECK(origin_ok(e, x, pc->origin));
                }
            }
        }
        CHECK(inside_samples > 500);
    }
}
