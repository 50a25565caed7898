#include "maps/ring_simplify.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <utility>

namespace lifecircle::maps::detail {

namespace {

bool same(Point a, Point b) { return a.x == b.x && a.y == b.y; }
bool less(Point a, Point b) { return a.x != b.x ? a.x < b.x : a.y < b.y; }

/** Sign of the turn a -> b -> c: +1 left, -1 right, 0 collinear. */
int orient(Point a, Point b, Point c) {
    const double d = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    return d > 0 ? 1 : (d < 0 ? -1 : 0);
}

/** p lies on segment ab, given orient(a, b, p) == 0. */
bool within_box(Point a, Point b, Point p) {
    return p.x >= std::min(a.x, b.x) && p.x <= std::max(a.x, b.x) && p.y >= std::min(a.y, b.y) &&
           p.y <= std::max(a.y, b.y);
}

double distance2_to_segment(Point p, Point a, Point b) {
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
    return ex * ex + ey * ey;
}

/**
 * Whether segments pq and ab meet anywhere except at an end they share (an end they share is
 * allowed unless the two run along each other from it).
 */
bool conflict(Point p, Point q, Point a, Point b) {
    const int o1 = orient(p, q, a), o2 = orient(p, q, b), o3 = orient(a, b, p), o4 = orient(a, b, q);
    if (o1 * o2 < 0 && o3 * o4 < 0) return true;  // proper crossing
    if (o1 == 0 && o2 == 0) {
        // Collinear: they conflict if they overlap in more than a shared end.
        const bool x = std::abs(q.x - p.x) >= std::abs(q.y - p.y);
        double p0 = x ? p.x : p.y, p1 = x ? q.x : q.y, a0 = x ? a.x : a.y, a1 = x ? b.x : b.y;
        if (p0 > p1) std::swap(p0, p1);
        if (a0 > a1) std::swap(a0, a1);
        return std::min(p1, a1) > std::max(p0, a0) ||
               (std::min(p1, a1) == std::max(p0, a0) && !(same(p, a) || same(p, b) || same(q, a) || same(q, b)));
    }
    auto touches = [](Point s, Point t, Point x, int o) { return o == 0 && within_box(s, t, x); };
    if (touches(p, q, a, o1) && !same(a, p) && !same(a, q)) return true;
    if (touches(p, q, b, o2) && !same(b, p) && !same(b, q)) return true;
    if (touches(a, b, p, o3) && !same(p, a) && !same(p, b)) return true;
    if (touches(a, b, q, o4) && !same(q, a) && !same(q, b)) return true;
    return false;
}

double signed_area2(const Ring& ring) {
    double s = 0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) s += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y;
    return s;
}

/** Open-addressing hash of 64-bit keys to 32-bit values (keys never removed). */
class FlatMap {
public:
    explicit FlatMap(std::size_t expected) {
        std::size_t size = 16;
        while (size < 2 * expected + 16) size *= 2;
        m_keys.assign(size, empty);
        m_values.resize(size);
        m_mask = size - 1;
    }
    /** The slot of `key`, inserted with `value` if absent; `inserted` says which. */
    std::size_t find_or_insert(std::uint64_t key, std::uint32_t value, bool& inserted) {
        if (m_count * 2 + 16 > m_keys.size()) grow();
        std::size_t slot = hash(key) & m_mask;
        while (m_keys[slot] != empty && m_keys[slot] != key) slot = (slot + 1) & m_mask;
        inserted = m_keys[slot] == empty;
        if (inserted) {
            m_keys[slot] = key;
            m_values[slot] = value;
            ++m_count;
        }
        return slot;
    }
    /** The value of `key`, or `none`. */
    std::uint32_t get(std::uint64_t key, std::uint32_t none) const {
        std::size_t slot = hash(key) & m_mask;
        while (m_keys[slot] != empty) {
            if (m_keys[slot] == key) return m_values[slot];
            slot = (slot + 1) & m_mask;
        }
        return none;
    }
    std::uint32_t& value(std::size_t slot) { return m_values[slot]; }

private:
    static constexpr std::uint64_t empty = ~std::uint64_t{0};
    static std::uint64_t hash(std::uint64_t k) {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53ULL;
        return k ^ (k >> 33);
    }
    void grow() {
        std::vector<std::uint64_t> keys = std::move(m_keys);
        std::vector<std::uint32_t> values = std::move(m_values);
        m_keys.assign(keys.size() * 2, empty);
        m_values.assign(keys.size() * 2, 0);
        m_mask = m_keys.size() - 1;
        m_count = 0;
        bool inserted = false;
        for (std::size_t i = 0; i < keys.size(); ++i)
            if (keys[i] != empty) m_values[find_or_insert(keys[i], values[i], inserted)] = values[i];
    }
    std::vector<std::uint64_t> m_keys;
    std::vector<std::uint32_t> m_values;
    std::size_t m_mask = 0, m_count = 0;
};

std::uint64_t bits(double v) {
    std::uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}
/** A key for a point (collisions only merge hash chains; equality is checked on points). */
std::uint64_t point_key(Point p) {
    const std::uint64_t x = bits(p.x), y = bits(p.y);
    return (x * 0x9e3779b97f4a7c15ULL) ^ (y + 0x632be59bd9b4e019ULL + (x << 6) + (x >> 2));
}

/**
 * The stretches between fixed vertices, each once, in flat arrays: chain c has points
 * [first[c], first[c + 1]).
 */
struct Chains {
    std::vector<Point> points;
    std::vector<std::uint32_t> next;  ///< next kept point (global index)
    std::vector<std::uint8_t> removed;
    std::vector<std::uint32_t> first{0};
    std::uint32_t count() const { return static_cast<std::uint32_t>(first.size() - 1); }
};

/** A current segment: points a -> b (global indices), alive while next[a] == b and a is kept. */
struct Entry {
    std::uint32_t a, b, link;
};

class SegmentGrid {
public:
    SegmentGrid(double cell, std::size_t expected) : m_cell(cell), m_heads(expected) {}

    void insert(const Chains& chains, std::uint32_t a, std::uint32_t b) {
        const Point p = chains.points[a], q = chains.points[b];
        for_cells(std::min(p.x, q.x), std::min(p.y, q.y), std::max(p.x, q.x), std::max(p.y, q.y), [&](std::uint64_t key) {
            bool inserted = false;
            const auto entry = static_cast<std::uint32_t>(m_entries.size());
            const std::size_t slot = m_heads.find_or_insert(key, entry, inserted);
            m_entries.push_back({a, b, inserted ? none : m_heads.value(slot)});
            m_heads.value(slot) = entry;
            return false;
        });
    }

    /** Whether f(entry) holds for an entry in a cell meeting the box (entries may repeat). */
    template <class F>
    bool any(double x0, double y0, double x1, double y1, F&& f) const {
        return for_cells(x0, y0, x1, y1, [&](std::uint64_t key) {
            for (std::uint32_t e = m_heads.get(key, none); e != none; e = m_entries[e].link)
                if (f(m_entries[e])) return true;
            return false;
        });
    }

private:
    static constexpr std::uint32_t none = ~std::uint32_t{0};
    template <class F>
    bool for_cells(double x0, double y0, double x1, double y1, F&& f) const {
        const auto i0 = static_cast<std::int64_t>(std::floor(x0 / m_cell)), i1 = static_cast<std::int64_t>(std::floor(x1 / m_cell));
        const auto j0 = static_cast<std::int64_t>(std::floor(y0 / m_cell)), j1 = static_cast<std::int64_t>(std::floor(y1 / m_cell));
        for (std::int64_t j = j0; j <= j1; ++j)
            for (std::int64_t i = i0; i <= i1; ++i)
                if (f((static_cast<std::uint64_t>(static_cast<std::uint32_t>(i)) << 32) | static_cast<std::uint32_t>(j)))
                    return true;
        return false;
    }

    double m_cell;
    FlatMap m_heads;
    std::vector<Entry> m_entries;
};

class Simplifier {
public:
    Simplifier(Chains& chains, double tolerance)
        : m_chains(chains), m_t(tolerance), m_t2(tolerance * tolerance), m_grid(8 * tolerance, chains.points.size() / 8) {
        for (std::uint32_t c = 0; c < chains.count(); ++c)
            for (std::uint32_t a = chains.first[c]; a + 1 < chains.first[c + 1]; ++a) m_grid.insert(chains, a, a + 1);
    }

    void run(std::uint32_t c) {
        Chains& ch = m_chains;
        std::vector<std::pair<std::uint32_t, std::uint32_t>>& stack = m_stack;
        stack.assign(1, {ch.first[c], ch.first[c + 1] - 1});
        while (!stack.empty()) {
            const auto [i, j] = stack.back();
            stack.pop_back();
            if (j <= i + 1) continue;
            const Point p = ch.points[i], q = ch.points[j];
            double worst = -1;
            std::uint32_t k = i + 1;
            const double dx = q.x - p.x, dy = q.y - p.y, len2 = dx * dx + dy * dy;
            const double inverse = len2 > 0 ? 1.0 / len2 : 0.0;
            for (std::uint32_t v = i + 1; v < j; ++v) {
                const Point x = ch.points[v];
                const double t = std::clamp(((x.x - p.x) * dx + (x.y - p.y) * dy) * inverse, 0.0, 1.0);
                const double ex = p.x + t * dx - x.x, ey = p.y + t * dy - x.y;
                const double d = ex * ex + ey * ey;
                if (d > worst) {
                    worst = d;
                    k = v;
                }
            }
            if (!same(p, q) && worst <= m_t2 && allowed(i, j)) {
                for (std::uint32_t v = i + 1; v < j; ++v) ch.removed[v] = 1;
                ch.next[i] = j;
                m_grid.insert(ch, i, j);
                continue;
            }
            stack.push_back({k, j});
            stack.push_back({i, k});
        }
    }

private:
    bool alive(const Entry& e) const { return !m_chains.removed[e.a] && m_chains.next[e.a] == e.b; }

    /** Even-odd test: x strictly inside the loop points[i..j] closed by j -> i. */
    bool inside(std::uint32_t i, std::uint32_t j, Point x) const {
        bool in = false;
        auto edge = [&](Point a, Point b) {
            if ((a.y > x.y) != (b.y > x.y) && x.x < (b.x - a.x) * (x.y - a.y) / (b.y - a.y) + a.x) in = !in;
        };
        for (std::uint32_t v = i; v < j; ++v) edge(m_chains.points[v], m_chains.points[v + 1]);
        edge(m_chains.points[j], m_chains.points[i]);
        return in;
    }

    bool allowed(std::uint32_t i, std::uint32_t j) const {
        const Point p = m_chains.points[i], q = m_chains.points[j];
        const double x0 = std::min(p.x, q.x) - m_t, y0 = std::min(p.y, q.y) - m_t;
        const double x1 = std::max(p.x, q.x) + m_t, y1 = std::max(p.y, q.y) + m_t;
        const bool blocked = m_grid.any(x0, y0, x1, y1, [&](const Entry& e) {
            if (e.a >= i && e.b <= j) return false;  // the stretch itself
            if (!alive(e)) return false;
            const Point a = m_chains.points[e.a], b = m_chains.points[e.b];
            if (conflict(p, q, a, b)) return true;
            // A vertex swept over: it would be within the tolerance of the shortcut.
            for (const Point x : {a, b}) {
                if (same(x, p) || same(x, q)) continue;
                if (distance2_to_segment(x, p, q) <= m_t2 && inside(i, j, x)) return true;
            }
            return false;
        });
        return !blocked;
    }

    Chains& m_chains;
    double m_t, m_t2;
    SegmentGrid m_grid;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> m_stack;
};

}  // namespace

bool simplify_rings(std::vector<Ring>& rings, double tolerance) {
    if (!(tolerance > 0)) return true;
    // All vertices in one array (closing points left out); rings of fewer than three are skipped.
    std::vector<Point> pts;
    std::vector<std::uint32_t> base(rings.size() + 1, 0), ring_of;
    for (std::uint32_t r = 0; r < rings.size(); ++r) {
        base[r] = static_cast<std::uint32_t>(pts.size());
        if (rings[r].size() >= 4) pts.insert(pts.end(), rings[r].begin(), rings[r].end() - 1);
    }
    base[rings.size()] = static_cast<std::uint32_t>(pts.size());
    ring_of.resize(pts.size());
    for (std::uint32_t r = 0; r < rings.size(); ++r)
        for (std::uint32_t v = base[r]; v < base[r + 1]; ++v) ring_of[v] = r;
    auto pred = [&](std::uint32_t v) { return v == base[ring_of[v]] ? base[ring_of[v] + 1] - 1 : v - 1; };
    auto succ = [&](std::uint32_t v) { return v + 1 == base[ring_of[v] + 1] ? base[ring_of[v]] : v + 1; };

    // Each distinct point once: its first occurrence, how many there are, and whether all of
    // them arrive from and leave for the same neighbours (else the point is fixed).
    constexpr std::uint32_t none = ~std::uint32_t{0};
    std::vector<std::uint32_t> group(pts.size());     // first occurrence of the same point
    std::vector<std::uint8_t> fixed(pts.size(), 0), shared(pts.size(), 0);
    {
        FlatMap firsts(pts.size());
        std::vector<std::uint32_t> chain_link(pts.size(), none);  // same-key, different point
        for (std::uint32_t v = 0; v < pts.size(); ++v) {
            bool inserted = false;
            const std::size_t slot = firsts.find_or_insert(point_key(pts[v]), v, inserted);
            if (inserted) {
                group[v] = v;
                continue;
            }
            // Walk the occurrences with this key for the same point (a key collision between
            // different points only lengthens the walk).
            std::uint32_t f = firsts.value(slot);
            while (f != none && !same(pts[f], pts[v])) f = chain_link[f];
            if (f == none) {
                chain_link[v] = firsts.value(slot);
                firsts.value(slot) = v;
                group[v] = v;
                continue;
            }
            group[v] = f;
            shared[f] = 1;
            // The same neighbours, in the same order or reversed (two regions side by side run
            // along their common border in opposite directions).
            const bool forward = same(pts[pred(v)], pts[pred(f)]) && same(pts[succ(v)], pts[succ(f)]);
            const bool backward = same(pts[pred(v)], pts[succ(f)]) && same(pts[succ(v)], pts[pred(f)]);
            if (!forward && !backward) fixed[f] = 1;
        }
        for (std::uint32_t v = 0; v < pts.size(); ++v) {
            fixed[v] = fixed[group[v]];
            shared[v] = shared[group[v]];
        }
    }
    // A ring with no fixed vertex is fixed at its smallest one (the same for identical copies).
    for (std::uint32_t r = 0; r < rings.size(); ++r) {
        if (base[r] == base[r + 1]) continue;
        bool any = false;
        std::uint32_t best = base[r];
        for (std::uint32_t v = base[r]; v < base[r + 1]; ++v) {
            any = any || fixed[v];
            if (less(pts[v], pts[best])) best = v;
        }
        if (!any) fixed[best] = 1;
    }

    // Cut the rings into chains between fixed vertices. A chain starting at a shared point
    // with a shared second point may be another ring's too, in the same direction or reversed
    // (then it is the same all along: its points have the same neighbours everywhere); it is
    // kept once.
    Chains chains;
    chains.points.reserve(pts.size() + rings.size());
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> shared_chains;
    struct Use {
        std::uint32_t chain;
        bool reversed;
    };
    std::vector<std::vector<Use>> ring_chains(rings.size());
    auto find_chain = [&](std::uint32_t from, std::uint32_t second, Point to) {
        const auto it = shared_chains.find((std::uint64_t(group[from]) << 32) | group[second]);
        if (it != shared_chains.end())
            for (const std::uint32_t c : it->second)
                if (same(chains.points[chains.first[c + 1] - 1], to)) return c;
        return none;
    };
    for (std::uint32_t r = 0; r < rings.size(); ++r) {
        if (base[r] == base[r + 1]) continue;
        std::uint32_t start = base[r];
        while (!fixed[start]) ++start;
        std::uint32_t k = start;
        do {
            const std::uint32_t second = succ(k);
            std::uint32_t end = second;
            while (!fixed[end]) end = succ(end);
            bool found = false;
            if (shared[k] && shared[second]) {
                std::uint32_t c = find_chain(k, second, pts[end]);
                if (c != none) {
                    ring_chains[r].push_back({c, false});
                    found = true;
                } else if (shared[end] && shared[pred(end)] && (c = find_chain(end, pred(end), pts[k])) != none) {
                    ring_chains[r].push_back({c, true});
                    found = true;
                }
            }
            if (!found) {
                const std::uint32_t c = chains.count();
                for (std::uint32_t v = k;; v = succ(v)) {
                    chains.points.push_back(pts[v]);
                    if (v == end && chains.points.size() > chains.first.back() + 1) break;
                }
                chains.first.push_back(static_cast<std::uint32_t>(chains.points.size()));
                if (shared[k] && shared[second])
                    shared_chains[(std::uint64_t(group[k]) << 32) | group[second]].push_back(c);
                ring_chains[r].push_back({c, false});
            }
            k = end;
        } while (k != start);
    }
    chains.next.resize(chains.points.size());
    for (std::uint32_t a = 0; a < chains.points.size(); ++a) chains.next[a] = a + 1;
    chains.removed.assign(chains.points.size(), 0);

    // What only the cutting needed goes before the simplifier's grid is built.
    pts = {};
    ring_of = {};
    group = {};
    fixed = {};
    shared = {};
    shared_chains = {};
    {
        Simplifier simplifier(chains, tolerance);
        for (std::uint32_t c = 0; c < chains.count(); ++c) simplifier.run(c);
    }

    std::vector<Ring> out(rings.size());
    std::vector<std::uint32_t> kept;  // a reversed chain's kept points
    for (std::uint32_t r = 0; r < rings.size(); ++r) {
        if (base[r] == base[r + 1]) {
            out[r] = rings[r];
            continue;
        }
        for (const auto [c, reversed] : ring_chains[r]) {
            const std::uint32_t last = chains.first[c + 1] - 1;
            if (!reversed) {
                for (std::uint32_t a = chains.first[c]; a < last; a = chains.next[a]) out[r].push_back(chains.points[a]);
                continue;
            }
            // From the chain's last point back to just after its first.
            kept.clear();
            for (std::uint32_t a = chains.first[c]; a <= last; a = chains.next[a]) kept.push_back(a);
            for (std::size_t n = kept.size(); n > 1; --n) out[r].push_back(chains.points[kept[n - 1]]);
        }
        out[r].push_back(out[r].front());
        const double before = signed_area2(rings[r]), after = signed_area2(out[r]);
        if (out[r].size() < 4 || (before > 0) != (after > 0) || after == 0) return false;
    }
    rings = std::move(out);
    return true;
}

}  // namespace lifecircle::maps::detail
