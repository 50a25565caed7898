#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "io/od_matrix.hpp"
#include "tests/temp_dir.hpp"

using Catch::Contains;
using lifecircle::InputError;
using lifecircle::TimeEntry;
using lifecircle::UsageError;
using lifecircle::io::OdOptions;
using lifecircle::io::OdProblem;
using lifecircle::io::read_od_problem;
using lifecircle::test::TempDir;

namespace {

/** The message read_od_problem throws as InputError, or "" when it does not throw. */
std::string od_error(const std::string& matrix, const std::string& demand,
                     const std::string& candidates = "",
                     const std::vector<std::string>& existing = {}, const OdOptions& options = {}) {
    try {
        read_od_problem(matrix, demand, candidates, existing, options);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

const std::string demand_abc = "id,weight\na,1\nb,2.5\nc,0\n";

/**
 * The San Francisco instance (spopt) in our format: from_id = store, to_id = tract, cost =
 * network distance in metres; demand = POP2000 per tract, once per distinct tract.
 */
struct SfFiles {
    std::string matrix, demand;
    std::map<std::string, double> weight;  // tract -> population
};

SfFiles convert_sf(const TempDir& dir) {
    std::ifstream in(
        std::string(LIFECIRCLE_SHARED_DATA) +
        "/location/spopt_sf/SF_network_distance_candidateStore_16_censusTract_205_new.csv");
    REQUIRE(in.good());
    std::string line;
    std::getline(in, line);
    REQUIRE(line.rfind("distance,name,DestinationName,demand", 0) == 0);
    SfFiles files;
    std::vector<std::string> tracts;
    std::ostringstream matrix, demand;
    matrix << "from_id,to_id,cost\n";
    demand << "id,weight\n";
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string item; std::getline(ss, item, ',');) f.push_back(item);
        REQUIRE(f.size() == 4);
        matrix << f[1] << ',' << f[2] << ',' << f[0] << '\n';
        if (files.weight.emplace(f[2], std::stod(f[3])).second) tracts.push_back(f[2]);
    }
    for (const auto& t : tracts) demand << t << ',' << files.weight[t] << '\n';
    files.matrix = dir.write("sf_matrix.csv", matrix.str());
    files.demand = dir.write("sf_demand.csv", demand.str());
    return files;
}

std::uint32_t index_of(const std::vector<std::string>& ids, const std::string& id) {
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (ids[i] == id) return static_cast<std::uint32_t>(i);
    FAIL("no id " << id);
    return 0;
}

}  // namespace

TEST_CASE("read_od_problem reads a hand-made matrix exactly", "[od]") {
    const TempDir dir{"lifecircle_od"};
    const std::string matrix = dir.write("m.csv",
                                         "from_id,to_id,cost\n"
                                         "s1,b,20\n"
                                         "s1,a,10.5\n"
                                         "\n"
                                         "s2,c,0\n"
                                         "s2,a,7\n"
                                         "s1,c,30\n");
    const std::string demand = dir.write("d.csv", demand_abc);
    const OdProblem p = read_od_problem(matrix, demand, "", {"s2"}, {});
    CHECK(p.candidate_ids == std::vector<std::string>{"s1", "s2"});
    CHECK(p.demand_ids == std::vector<std::string>{"a", "b", "c"});
    CHECK(p.weight == std::vector<double>{1.0, 2.5, 0.0});
    CHECK(p.capacity.empty());
    CHECK(p.cost.empty());
    CHECK(p.existing == std::vector<std::uint32_t>{1});
    REQUIRE(p.table.rows() == 2);
    REQUIRE(p.table.cols() == 3);
    CHECK(p.table.size() == 5);
    const auto r0 = p.table.row(0);
    REQUIRE(r0.size() == 3);
    CHECK(r0[0] == TimeEntry{0, 10.5f});
    CHECK(r0[1] == TimeEntry{1, 20.0f});
    CHECK(r0[2] == TimeEntry{2, 30.0f});
    const auto r1 = p.table.row(1);
    REQUIRE(r1.size() == 2);
    CHECK(r1[0] == TimeEntry{0, 7.0f});
    CHECK(r1[1] == TimeEntry{2, 0.0f});
    CHECK(p.pairs_read == 5);
    CHECK(p.pairs_beyond_cutoff == 0);
    CHECK(p.demand_not_in_matrix == 0);
}

TEST_CASE("read_od_problem takes columns in any order and case, extra columns ignored", "[od]") {
    const TempDir dir{"lifecircle_od"};
    const std::string matrix = dir.write("m.csv",
                                         " Cost ,note,TO_ID,From_Id\n"
                                         "5,x,b,s1\n"
                                         "3,\"quoted, with comma\",a,s1\n"
                                         "+1e1,,\"say \"\"hi\"\"\", site B \n");
    const std::string demand = dir.write("d.csv", "pop,ID\n4,a\n6,b\n1,\"say \"\"hi\"\"\"\n");
    OdOptions options;
    options.weight_field = "POP";
    const OdProblem p = read_od_problem(matrix, demand, "", {}, options);
    CHECK(p.candidate_ids == std::vector<std::string>{"s1", "site B"});
    CHECK(p.demand_ids == std::vector<std::string>{"a", "b", "say \"hi\""});
    CHECK(p.weight == std::vector<double>{4.0, 6.0, 1.0});
    const auto r0 = p.table.row(0);
    REQUIRE(r0.size() == 2);
    CHECK(r0[0] == TimeEntry{0, 3.0f});
    CHECK(r0[1] == TimeEntry{1, 5.0f});
    REQUIRE(p.table.row(1).size() == 1);
    CHECK(p.table.row(1)[0] == TimeEntry{2, 10.0f});
}

TEST_CASE("read_od_problem reads a BOM, semicolons, tabs and CRLF", "[od]") {
    const TempDir dir{"lifecircle_od"};
    const std::string matrix = dir.write("m.csv",
                                         "\xEF\xBB\xBF"
                                         "from_id;to_id;cost\r\ns1;a;1.25\r\ns2;b;2\r\n");
    const std::string demand = dir.write("d.tsv",
                                         "\xEF\xBB\xBF"
                                         "id\tweight\r\na\t1\r\nb\t2\r\n");
    const OdProblem p = read_od_problem(matrix, demand, "", {}, {});
    CHECK(p.candidate_ids == std::vector<std::string>{"s1", "s2"});
    CHECK(p.demand_ids == std::vector<std::string>{"a", "b"});
    CHECK(p.table.at(0, 0) == Approx(1.25));
    CHECK(p.table.at(1, 1) == Approx(2.0));
    CHECK(p.table.size() == 2);
}

TEST_CASE("read_od_problem drops and counts pairs beyond the cutoff", "[od]") {
    const TempDir dir{"lifecircle_od"};
    const std::string matrix =
        dir.write("m.csv", "from_id,to_id,cost\ns1,a,5\ns1,b,10\ns1,c,10.5\ns2,a,99\n");
    const std::string demand = dir.write("d.csv", demand_abc);
    OdOptions options;
    options.cutoff = 10.0;
    const OdProblem p = read_od_problem(matrix, demand, "", {}, options);
    CHECK(p.pairs_read == 4);
    CHECK(p.pairs_beyond_cutoff == 2);
    CHECK(p.table.size() == 2);
    CHECK(p.table.rows() == 2);  // s2 is a candidate even though all its pairs are dropped
    CHECK(p.table.row(1).empty());
    CHECK(p.table.at(0, 1) == Approx(10.0));
    CHECK(std::isinf(p.table.at(0, 2)));
    CHECK(p.demand_not_in_matrix == 0);  // c is in the matrix, only beyond the cutoff

    options.cutoff = -1.0;
    CHECK_THROWS_AS(read_od_problem(matrix, demand, "", {}, options), UsageError);
}

TEST_CASE("read_od_problem reads files larger than its read blocks, and very long lines", "[od]") {
    const TempDir dir{"lifecircle_od"};
    // 200 x 500 pairs (about 2.5 MB: several 1 MB read blocks), in shuffled column order, the
    // last line without a line break; the first data line carries a 3 MB note column.
    const int candidates = 200, demand = 500;
    std::string demand_text = "id,weight\n";
    for (int d = 0; d < demand; ++d)
        demand_text += "t" + std::to_string(d) + "," + std::to_string(d) + "\n";
    std::string text = "note,from_id,to_id,cost\n";
    text.reserve(4'000'000);
    std::size_t lines = 0;
    for (int c = 0; c < candidates; ++c) {
        for (int k = 0; k < demand; ++k) {
            const int d = (k * 7) % demand;  // 7 is prime to 500: every column once
            if (lines++ == 0) text += std::string(3'000'000, 'x');
            text += ",c" + std::to_string(c) + ",t" + std::to_string(d) + "," +
                    std::to_string(c * 1000 + d) + ".25";
            if (c != candidates - 1 || k != demand - 1) text += "\r\n";
        }
    }
    const OdProblem p =
        read_od_problem(dir.write("m.csv", text), dir.write("d.csv", demand_text), "", {}, {});
    REQUIRE(p.table.rows() == candidates);
    REQUIRE(p.table.size() == static_cast<std::size_t>(candidates * demand));
    bool exact = true;
    for (int c = 0; c < candidates; ++c) {
        const auto row = p.table.row(static_cast<std::size_t>(c));
        for (int d = 0; d < demand; ++d) {
            exact = exact && row[static_cast<std::size_t>(d)] ==
                                 TimeEntry{static_cast<std::uint32_t>(d),
                                           static_cast<float>(c * 1000 + d + 0.25)};
        }
    }
    CHECK(exact);
    CHECK(p.candidate_ids.back() == "c199");
    CHECK(p.weight[499] == 499.0);
}

TEST_CASE("read_od_problem keeps ids as text, leading zeros included", "[od]") {
    const TempDir dir{"lifecircle_od"};
    const std::string matrix =
        dir.write("m.csv", "from_id,to_id,cost\n0012,007,1\n12,7,2\n\"0012\",7,3\n");
    const std::string demand = dir.write("d.csv", "id,weight\n7,1\n007,2\n0099,3\n");
    const OdProblem p = read_od_problem(matrix, demand, "", {"12", "0012"}, {});
    CHECK(p.candidate_ids == std::vector<std::string>{"0012", "12"});
    CHECK(p.demand_ids == std::vector<std::string>{"7", "007", "0099"});
    CHECK(p.existing == std::vector<std::uint32_t>{1, 0});
    CHECK(p.table.at(0, 1) == Approx(1.0));
    CHECK(p.table.at(1, 0) == Approx(2.0));
    CHECK(p.table.at(0, 0) == Approx(3.0));
    CHECK(p.demand_not_in_matrix == 1);  // 0099: kept, unreachable
    CHECK(p.table.cols() == 3);
}

TEST_CASE("read_od_problem reads a candidates file with capacity and cost", "[od]") {
    const TempDir dir{"lifecircle_od"};
    const std::string matrix = dir.write("m.csv", "from_id,to_id,cost\ns2,a,1\ns1,b,2\n");
    const std::string demand = dir.write("d.csv", demand_abc);
    const std::string candidates =
        dir.write("c.csv", "cost,id,capacity\n100,s1,10\n200,s2,20\n0,s3,5.5\n");
    const OdProblem p = read_od_problem(matrix, demand, candidates, {"s3"}, {});
    CHECK(p.candidate_ids == std::vector<std::string>{"s1", "s2", "s3"});
    CHECK(p.capacity == std::vector<double>{10.0, 20.0, 5.5});
    CHECK(p.cost == std::vector<double>{100.0, 200.0, 0.0});
    CHECK(p.existing == std::vector<std::uint32_t>{2});
    REQUIRE(p.table.rows() == 3);
    CHECK(p.table.row(0).size() == 1);
    CHECK(p.table.at(0, 1) == Approx(2.0));
    CHECK(p.table.at(1, 0) == Approx(1.0));
    CHECK(p.table.row(2).empty());
    CHECK(p.demand_not_in_matrix == 1);

    const std::string only_ids = dir.write("c2.csv", "id\ns2\ns1\n");
    const OdProblem q = read_od_problem(matrix, demand, only_ids, {}, {});
    CHECK(q.candidate_ids == std::vector<std::string>{"s2", "s1"});
    CHECK(q.capacity.empty());
    CHECK(q.cost.empty());
    CHECK(q.table.at(0, 0) == Approx(1.0));
}

TEST_CASE("read_od_problem rejects bad matrix files with clear messages", "[od]") {
    const TempDir dir{"lifecircle_od"};
    const std::string demand = dir.write("d.csv", demand_abc);
    const auto matrix = [&](const std::string& text) { return dir.write("bad_matrix.csv", text); };

    SECTION("missing file") {
        const std::string e = od_error(dir.file("nope.csv"), demand);
        CHECK_THAT(e, Contains("nope.csv") && Contains("does not exist"));
    }
    SECTION("empty file") {
        CHECK_THAT(od_error(matrix(""), demand), Contains("bad_matrix.csv") && Contains("empty"));
    }
    SECTION("wrong header") {
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("origin,destination,time\ns1,a,1\n"), demand, "", {}, {}),
            Contains("bad_matrix.csv") && Contains("origin, destination, time") &&
                Contains("from_id,to_id,cost"));
    }
    SECTION("header only") {
        CHECK_THAT(od_error(matrix("from_id,to_id,cost\n\n"), demand),
                   Contains("bad_matrix.csv") && Contains("no pairs"));
    }
    SECTION("not a number") {
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id;to_id;cost\ns1;a;1\ns1;b;12,5\n"), demand, "", {}, {}),
            Contains("bad_matrix.csv") && Contains("line 3") && Contains("'12,5'") &&
                Contains("dot as decimal separator"));
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id,to_id,cost\ns1,a,1\ns1,b,abc\n"), demand, "", {}, {}),
            Contains("bad_matrix.csv") && Contains("line 3") && Contains("'abc'") &&
                Contains("not a number") && Contains("give a finite number >= 0"));
    }
    SECTION("negative, infinite and empty costs") {
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id,to_id,cost\ns1,a,-2\n"), demand, "", {}, {}),
            Contains("bad_matrix.csv") && Contains("line 2") && Contains("'-2'") &&
                Contains("negative"));
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id,to_id,cost\ns1,a,1\n\ns1,b,inf\n"), demand, "", {}, {}),
            Contains("line 4") && Contains("'inf'") && Contains("not finite"));
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id,to_id,cost\ns1,a,1e400\n"), demand, "", {}, {}),
            Contains("line 2") && Contains("'1e400'") && Contains("out of range"));
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id,to_id,cost\ns1,a,1e39\n"), demand, "", {}, {}),
            Contains("line 2") && Contains("'1e39'") && Contains("too large") &&
                Contains("below 3.40282e+38"));
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id,to_id,cost\ns1,a,nan\n"), demand, "", {}, {}),
            Contains("line 2") && Contains("'nan'") && Contains("not a number"));
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id,to_id,cost\ns1,a,\n"), demand, "", {}, {}),
            Contains("bad_matrix.csv") && Contains("line 2") && Contains("empty"));
    }
    SECTION("short line and empty id") {
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id,to_id,cost\ns1,a\n"), demand, "", {}, {}),
            Contains("line 2") && Contains("2 value(s)") && Contains("'cost'"));
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id,to_id,cost\ns1,,3\n"), demand, "", {}, {}),
            Contains("line 2") && Contains("to_id is empty"));
    }
    SECTION("unclosed quote") {
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id,to_id,cost\n\"s1,a,3\n"), demand, "", {}, {}),
            Contains("bad_matrix.csv") && Contains("line 2") && Contains("quote"));
    }
    SECTION("duplicate pair") {
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix("from_id,to_id,cost\ns1,a,1\ns1,b,2\ns2,a,1\ns1,a,4\n"), demand,
                            "", {}, {}),
            Contains("bad_matrix.csv") && Contains("'s1'") && Contains("'a'") &&
                Contains("twice") && Contains("line 2 and line 5"));
    }
    SECTION("duplicate pair beyond the cutoff") {
        OdOptions options;
        options.cutoff = 5.0;
        REQUIRE_THROWS_WITH(read_od_problem(matrix("from_id,to_id,cost\ns1,a,9\ns1,b,2\ns1,a,1\n"),
                                            demand, "", {}, options),
                            Contains("twice") && Contains("line 2 and line 4"));
        REQUIRE_THROWS_WITH(read_od_problem(matrix("from_id,to_id,cost\ns1,a,9\ns1,b,2\ns1,a,8\n"),
                                            demand, "", {}, options),
                            Contains("twice") && Contains("line 2 and line 4"));
    }
    SECTION("to_ids not in the demand file") {
        std::string text = "from_id,to_id,cost\ns1,a,1\n";
        for (int i = 1; i <= 7; ++i)
            text += "s1,x" + std::to_string(i) + ",1\ns2,x" + std::to_string(i) + ",1\n";
        REQUIRE_THROWS_WITH(
            read_od_problem(matrix(text), demand, "", {}, {}),
            Contains("bad_matrix.csv") && Contains("7 to_id(s)") && Contains("d.csv") &&
                Contains("'x1', 'x2', 'x3', 'x4', 'x5' and 2 more") && !Contains("x6"));
    }
}

TEST_CASE("read_od_problem rejects bad demand files with clear messages", "[od]") {
    const TempDir dir{"lifecircle_od"};
    const std::string matrix = dir.write("m.csv", "from_id,to_id,cost\ns1,a,1\n");
    const auto demand = [&](const std::string& text) { return dir.write("bad_demand.csv", text); };
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand("id,pop\na,1\n"), "", {}, {}),
                        Contains("bad_demand.csv") && Contains("id, pop") &&
                            Contains("id,weight") && Contains("'weight'"));
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand("id,weight\na,1\nb,\n"), "", {}, {}),
                        Contains("bad_demand.csv") && Contains("line 3") && Contains("empty"));
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand("id,weight\na,1\nb,-1\n"), "", {}, {}),
                        Contains("line 3") && Contains("'-1'") && Contains("negative"));
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand("id,weight\na,1\nb,2\n\na,3\n"), "", {}, {}),
                        Contains("bad_demand.csv") && Contains("'a'") && Contains("twice") &&
                            Contains("line 2 and line 5"));
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand("id,weight\n"), "", {}, {}),
                        Contains("bad_demand.csv") && Contains("no demand points"));
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand("id,weight\n,3\n"), "", {}, {}),
                        Contains("line 2") && Contains("id is empty"));
}

TEST_CASE("read_od_problem rejects bad candidates and existing sites", "[od]") {
    const TempDir dir{"lifecircle_od"};
    const std::string demand = dir.write("d.csv", demand_abc);
    const std::string matrix =
        dir.write("m.csv", "from_id,to_id,cost\ns1,a,1\ns9,a,1\ns2,b,1\ns8,a,1\ns9,b,3\n");
    const auto candidates = [&](const std::string& text) { return dir.write("cand.csv", text); };
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand, candidates("id\ns1\ns2\n"), {}, {}),
                        Contains("m.csv") && Contains("2 from_id(s)") && Contains("cand.csv") &&
                            Contains("'s9', 's8'"));
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand, candidates("name\ns1\n"), {}, {}),
                        Contains("cand.csv") && Contains("'id'") && Contains("name"));
    REQUIRE_THROWS_WITH(
        read_od_problem(matrix, demand, candidates("id,capacity\ns1,1\ns2,x\n"), {}, {}),
        Contains("cand.csv") && Contains("line 3") && Contains("'x'") && Contains("capacity"));
    REQUIRE_THROWS_WITH(
        read_od_problem(matrix, demand, candidates("id,cost\ns1,1\ns2,-3\n"), {}, {}),
        Contains("cand.csv") && Contains("line 3") && Contains("negative"));
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand, candidates("id\ns1\ns2\ns1\n"), {}, {}),
                        Contains("cand.csv") && Contains("'s1'") && Contains("line 2 and line 4"));
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand, candidates("id\n"), {}, {}),
                        Contains("cand.csv") && Contains("no candidates"));
    // Existing sites.
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand, "", {"s1", "s7"}, {}),
                        Contains("m.csv") && Contains("'s7'") && Contains("not a candidate"));
    REQUIRE_THROWS_WITH(
        read_od_problem(matrix, demand, candidates("id\ns1\ns2\ns8\ns9\n"), {"01"}, {}),
        Contains("cand.csv") && Contains("'01'") && Contains("not a candidate"));
    REQUIRE_THROWS_WITH(read_od_problem(matrix, demand, "", {"s1", "s1"}, {}),
                        Contains("'s1'") && Contains("twice"));
    const OdProblem p = read_od_problem(matrix, demand, "", {" s8 ", "s1"}, {});
    CHECK(p.candidate_ids == std::vector<std::string>{"s1", "s9", "s2", "s8"});
    CHECK(p.existing == std::vector<std::uint32_t>{3, 0});
}

TEST_CASE("read_od_problem reads the San Francisco instance end to end", "[od]") {
    if (!std::filesystem::exists(std::string(LIFECIRCLE_SHARED_DATA) + "/location/spopt_sf")) {
        WARN("skipped: ../shared/data/location/spopt_sf not found");
        return;
    }
    const TempDir dir{"lifecircle_od_sf"};
    const SfFiles sf = convert_sf(dir);
    const OdProblem p = read_od_problem(sf.matrix, sf.demand, "", {"Store_19"}, {});
    REQUIRE(p.candidate_ids.size() == 16);
    REQUIRE(p.demand_ids.size() == 205);
    CHECK(p.table.rows() == 16);
    CHECK(p.table.cols() == 205);
    CHECK(p.table.size() == 16 * 205);
    CHECK(p.pairs_read == 3280);
    CHECK(p.demand_not_in_matrix == 0);
    CHECK(p.candidate_ids.front() == "Store_1");
    CHECK(p.candidate_ids[7] == "Store_11");  // there are no stores 8 to 10
    CHECK(p.existing == std::vector<std::uint32_t>{15});
    double total = 0.0;
    for (double w : p.weight) total += w;
    double expected = 0.0;
    for (const auto& [tract, w] : sf.weight) expected += w;
    CHECK(total == expected);
    CHECK(total == 955113.0);
    for (std::size_t r = 0; r < p.table.rows(); ++r) CHECK(p.table.row(r).size() == 205);
    // Spot pairs, straight from the spopt file.
    const auto at = [&](const std::string& from, const std::string& to) {
        return p.table.at(index_of(p.candidate_ids, from), index_of(p.demand_ids, to));
    };
    CHECK(at("Store_1", "060750479.01") == Approx(671.5733459664615).epsilon(1e-6));
    CHECK(at("Store_1", "060750352.02") == Approx(1656.1888835508746).epsilon(1e-6));
    CHECK(at("Store_5", "060750129.00") == Approx(9572.20980097615).epsilon(1e-6));
    CHECK(at("Store_19", "060816024.00") == Approx(20958.530405742244).epsilon(1e-6));
    CHECK(p.weight[index_of(p.demand_ids, "060816024.00")] == 6511.0);

    OdOptions options;
    options.cutoff = 5000.0;
    const OdProblem near = read_od_problem(sf.matrix, sf.demand, "", {}, options);
    CHECK(near.pairs_beyond_cutoff == 2373);
    CHECK(near.table.size() == 3280 - 2373);
    for (std::size_t r = 0; r < near.table.rows(); ++r)
        for (const TimeEntry& e : near.table.row(r)) CHECK(e.seconds <= 5000.0f);
}

TEST_CASE("read_od_problem reads a 10-million-line matrix (timing)", "[.][od_bench]") {
    const TempDir dir{"lifecircle_od_bench"};
    const int candidates = 1000, demand = 10000;
    const std::string demand_path = dir.file("d.csv");
    {
        std::ofstream out(demand_path);
        out << "id,weight\n";
        for (int d = 0; d < demand; ++d) out << "tract_" << d << ',' << (d % 97) + 1 << '\n';
    }
    const std::string matrix_path = dir.file("m.csv");
    {
        std::FILE* f = std::fopen(matrix_path.c_str(), "wb");
        std::fputs("from_id,to_id,cost\n", f);
        for (int c = 0; c < candidates; ++c)
            for (int d = 0; d < demand; ++d)
                std::fprintf(f, "site_%d,tract_%d,%.3f\n", c, d,
                             (c * 7919 + d * 104729) % 360000 / 100.0);
        std::fclose(f);
    }
    const auto bytes = static_cast<double>(std::filesystem::file_size(matrix_path));
    OdOptions options;
    options.cutoff = 1800.0;
    const auto start = std::chrono::steady_clock::now();
    const OdProblem p = read_od_problem(matrix_path, demand_path, "", {}, options);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN("10M-line matrix: " << bytes / 1e6 << " MB in " << s << " s = " << bytes / 1e6 / s
                             << " MB/s; kept " << p.table.size() << ", beyond cutoff "
                             << p.pairs_beyond_cutoff);
    CHECK(p.pairs_read == 10'000'000);
    CHECK(p.table.rows() == 1000);

    const auto start_all = std::chrono::steady_clock::now();
    const OdProblem all = read_od_problem(matrix_path, demand_path, "", {}, {});
    const double s_all =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_all).count();
    WARN("without cutoff: " << s_all << " s = " << bytes / 1e6 / s_all << " MB/s; kept "
                            << all.table.size());
    CHECK(all.table.size() == 10'000'000);
}
