#pragma once
/**
 * A planning-meeting report as one self-contained HTML page: title, sections of text, maps drawn
 * as inline SVG from output layers, tables and a footer. The page opens offline (no scripts,
 * fonts, style sheets, images or tiles from anywhere), is XHTML-compatible markup (every tag
 * closed, attributes quoted) and is a pure function of its input: the same Report gives the same
 * bytes (fixed-decimal, locale-free number formatting; no timestamps).
 */

#include <string>
#include <vector>

#include "core/layer.hpp"

namespace lifecircle::maps {

/** How one layer is drawn. Colours are CSS colours ("#1a9850", "none"). */
struct SvgStyle {
    std::string fill = "none";
    std::string stroke = "#444444";
    double stroke_width = 1.0;
    /** Opacity of polygon and point fills (strokes stay opaque). */
    double fill_opacity = 0.6;
    double point_radius = 3.0;
    /** "circle", "square", "triangle" or "star" (suggested sites). */
    std::string point_shape = "circle";
    /**
     * Optional graduated fill on a numeric field (polygons and points; the stroke colour of
     * lines): colours[k] for values in (breaks[k-1], breaks[k]], colours[0] for values up to
     * breaks[0]. NULL, text, and values above the last break get `fill` (`stroke` for lines).
     * Empty `field` = a single symbol.
     */
    std::string field;
    std::vector<double> breaks;
    std::vector<std::string> colours;
    /** The legend labels of the classes (units included, e.g. "≤ 21 人 persons"); empty = "≤ b0",
        "b0 – b1", ... */
    std::vector<std::string> class_labels = {};
    /**
     * A field whose text labels each feature: beside a point, along a line (on its longest
     * stretch in the frame, once per distinct text), inside a polygon. Labels are drawn above
     * every layer, the topmost layer's first; one that would overlap an earlier label is left
     * out. Empty = no labels.
     */
    std::string label_field = {};
    double label_size = 12.0;
};

/** One layer of a map. */
struct MapLayer {
    /** Not owned; must outlive the report_html() call. Layers of kind `none` draw nothing. */
    const Layer* layer = nullptr;
    SvgStyle style;
    /** The legend label; graduated layers get this as a heading and one row per class. */
    std::string legend;
    /** The map's frame holds every feature of the layers marked so (residents, facilities), with
        a margin; when no layer of a map is marked, all layers decide it. */
    bool frame = false;
    /** A word naming what the layer shows ("residents", "water"), written into its group's class
        so the page can be styled and checked. */
    std::string role = {};
    /** The output layer it shows (its GeoPackage table, e.g. "clinics_gaps"), written as the
        group's and the legend's data-layer; empty = the layer's name. */
    std::string source = {};
};

/** One map: its layers drawn in order (the first at the bottom) in one shared frame. */
struct ReportMap {
    std::string title;
    std::vector<MapLayer> layers;
    std::string caption;
};

/**
 * Maps of one place side by side (today, after the road works, with the suggested sites):
 * every panel shows the same frame (fitted on the layers marked `frame` in all panels) with its
 * own scale bar and north arrow, under one legend that lists each layer once (by its legend
 * label). On paper the panels stack, one per half page.
 */
struct ReportComparison {
    std::string title;
    std::vector<ReportMap> maps;  ///< each map's title heads its panel
    std::string caption;
};

/** A boxed paragraph (the standard as it ran, a verdict, a warning); `css_class` colours it. */
struct ReportCallout {
    std::string css_class;  ///< e.g. "standard", "verdict met", "verdict not-met", "note"
    std::string title;
    std::string text;       ///< paragraph rules as section text
};

/** A plain table: rows shorter than the header are padded with empty cells. */
struct ReportTable {
    std::string title;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    /** Shown under the table (a source or a definition). */
    std::string note;
    /** Folded away (a <details> element that opens on a click), e.g. the other groups. */
    bool folded = false;
};

/**
 * One section: a heading, text (a blank line starts a new paragraph, a single newline a line
 * break), then its maps, then its tables.
 */
struct ReportSection {
    std::string title;
    std::string text;
    std::vector<ReportMap> maps;
    std::vector<ReportTable> tables;
    /** Boxes drawn after the text, before the maps. */
    std::vector<ReportCallout> callouts = {};
    /** Side-by-side maps, drawn before the single maps. */
    std::vector<ReportComparison> comparisons = {};
};

/** A whole report. All text is UTF-8 and is escaped on output. */
struct Report {
    std::string title;
    std::string subtitle;
    std::vector<ReportSection> sections;
    /** e.g. the ODbL attribution and the run's parameters; same paragraph rules as section text. */
    std::string footer;
    /** The page language (the html lang attribute; picks CJK glyph variants). */
    std::string lang = "zh-CN";
    /** Headings the page writes itself ("Legend 图例", "Contents"): Chinese first when true. */
    bool chinese_first = true;
};

/**
 * The report as one HTML page (UTF-8). Each map is one `<svg role="img">` with a 800 × 560 map
 * frame, a scale bar, a north arrow and a legend panel, followed by a `<figcaption>`; geometry is
 * read from each feature's WKB (Point, LineString, Polygon and their Multi forms, either byte
 * order), fitted, y up, into the frame (on its `frame` layers, padded by 5 % of the larger side)
 * and clipped to it. A comparison's panels are one `<svg role="img">` each, without a legend
 * panel; their legend is a list under them. A print style sheet lays the page out on A4. Throws std::invalid_argument for a null layer, an
 * unknown point shape, a graduated style whose breaks are not strictly ascending or do not match
 * its colours, or a graduated field the layer lacks; std::runtime_error (naming the layer and
 * feature) for malformed WKB.
 */
std::string report_html(const Report& report);

}  // namespace lifecircle::maps
