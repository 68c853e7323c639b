/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "brm-chart-scale.h"
#include "brm-chart-series.h"

G_BEGIN_DECLS

#define BRM_TYPE_CHART_UNIT (brm_chart_unit_get_type ())
GType brm_chart_unit_get_type (void);

#define BRM_TYPE_CHART_X_KIND (brm_chart_x_kind_get_type ())
GType brm_chart_x_kind_get_type (void);

/* An image surface a chart paints a layer into, appended to the
 * snapshot as a Cairo node that only paints the image. Painting into
 * memory is Cairo's fast path; drawing into the Cairo node itself
 * records every operation to replay at render time. The surface is
 * reused frame after frame. */
typedef struct _BrmChartCanvas BrmChartCanvas;

BrmChartCanvas  *brm_chart_canvas_new         (void);
void             brm_chart_canvas_free        (BrmChartCanvas        *canvas);
/* A cleared @width × @height (logical pixels) surface at @scale. */
cairo_t         *brm_chart_canvas_begin       (BrmChartCanvas        *canvas,
                                               int                    width,
                                               int                    height,
                                               int                    scale);
/* The image between begin and end, for writing pixels directly (after
 * cairo_surface_flush(), before cairo_surface_mark_dirty()). */
cairo_surface_t *brm_chart_canvas_get_surface (BrmChartCanvas        *canvas);
/* Ends the drawing begun with brm_chart_canvas_begin(); consumes @cr. */
void             brm_chart_canvas_end         (BrmChartCanvas        *canvas,
                                               cairo_t               *cr);
/* Appends the last finished image at @bounds. */
void             brm_chart_canvas_append      (BrmChartCanvas        *canvas,
                                               GtkSnapshot           *snapshot,
                                               const graphene_rect_t *bounds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrmChartCanvas, brm_chart_canvas_free)

#define BRM_TYPE_CHART (brm_chart_get_type ())

G_DECLARE_DERIVABLE_TYPE (BrmChart, brm_chart, BRM, CHART, GtkWidget)

/**
 * BrmChartClass:
 * @draw: paints the chart with Cairo into @width × @height; called from
 *   snapshot (the base class appends the Cairo node)
 * @dup_summary: the one-sentence accessible description; the base class
 *   has one for time series
 * @data_changed: a series was added, removed or changed; subclasses drop
 *   cached geometry here (the base class queues the redraw)
 */
struct _BrmChartClass
{
  GtkWidgetClass parent_class;

  void   (*draw)         (BrmChart *self,
                          cairo_t  *cr,
                          int       width,
                          int       height);
  char * (*dup_summary)  (BrmChart *self);
  void   (*data_changed) (BrmChart *self);

  gpointer padding[8];
};

/* The shared API. */
void        brm_chart_add_series        (BrmChart       *self,
                                         BrmChartSeries *series);
void        brm_chart_remove_all_series (BrmChart       *self);
GListModel *brm_chart_get_series        (BrmChart       *self);
void        brm_chart_set_title         (BrmChart       *self,
                                         const char     *title);
const char *brm_chart_get_title         (BrmChart       *self);
void        brm_chart_set_unit          (BrmChart       *self,
                                         BrmChartUnit    unit);
BrmChartUnit brm_chart_get_unit         (BrmChart       *self);
void        brm_chart_set_x_kind        (BrmChart       *self,
                                         BrmChartXKind   kind);
BrmChartXKind brm_chart_get_x_kind      (BrmChart       *self);
void        brm_chart_set_threshold     (BrmChart       *self,
                                         double          value,
                                         const char     *label);
double      brm_chart_get_threshold     (BrmChart       *self,
                                         const char    **label);
char       *brm_chart_dup_summary       (BrmChart       *self);
char       *brm_chart_format_x          (BrmChart       *self,
                                         double          x);
char       *brm_chart_format_y          (BrmChart       *self,
                                         double          y);

/* Keyboard focus between points: an index into the first series' samples
 * (G_MAXUINT for none). Left/Right/Home/End move it when the chart has
 * focus; the accessible label then reads the point. */
guint       brm_chart_get_focus_index   (BrmChart       *self);
gboolean    brm_chart_get_hover_point   (BrmChart         *self,
                                         graphene_point_t *point);
void        brm_chart_set_focus_index   (BrmChart       *self,
                                         guint           index);
/* "14:05, Throughput 42 leads/min, Spend $12.30": the point at @x with
 * every series' value there. */
char       *brm_chart_dup_point_text    (BrmChart       *self,
                                         double          x);
/* Updates the accessible description now instead of at the next
 * throttled update (at most once a second for live data). */
void        brm_chart_flush_summary     (BrmChart       *self);

/* For subclasses. */
guint           brm_chart_get_n_series     (BrmChart       *self);
BrmChartSeries *brm_chart_get_series_at    (BrmChart       *self,
                                            guint           index);
/* The value of @series exactly at @x, NAN when it has none there. */
double          brm_chart_series_value_at  (BrmChartSeries *series,
                                            double          x);
gboolean        brm_chart_get_high_contrast (BrmChart      *self);
/* Changes whenever colours, fonts or line widths may have: a cached
 * drawing made with another serial is stale. */
guint           brm_chart_get_style_serial (BrmChart       *self);
void            brm_chart_get_series_color (BrmChart       *self,
                                            guint           index,
                                            GdkRGBA        *color);
void            brm_chart_get_foreground   (BrmChart       *self,
                                            GdkRGBA        *color);
void            brm_chart_get_background   (BrmChart       *self,
                                            GdkRGBA        *color);
double          brm_chart_get_line_width   (BrmChart       *self);
/* Which dash, marker and layer pattern series @index gets (0–5). */
guint           brm_chart_style_index      (guint           index);
void            brm_chart_set_series_dash  (BrmChart       *self,
                                            cairo_t        *cr,
                                            guint           index);
void            brm_chart_draw_marker      (cairo_t        *cr,
                                            guint           index,
                                            double          x,
                                            double          y,
                                            double          radius);
/* A repeating fill for stacked layers: solid, hatching, dots, … so a
 * layer is told apart without its colour. */
cairo_pattern_t *brm_chart_create_layer_pattern (BrmChart  *self,
                                                 guint      index);
/* Draws @text at (@x, @y) aligned by @xalign/@yalign (0 = left/top);
 * returns its size. */
void            brm_chart_draw_text        (BrmChart       *self,
                                            cairo_t        *cr,
                                            const char     *text,
                                            double          x,
                                            double          y,
                                            double          xalign,
                                            double          yalign,
                                            double         *width,
                                            double         *height);
void            brm_chart_measure_text     (BrmChart       *self,
                                            const char     *text,
                                            double         *width,
                                            double         *height);
/* Draws the legend in a row (wrapping) from (@x, @y) within @width;
 * @swatch_is_pattern draws layer patterns instead of line + marker.
 * Returns its height. */
double          brm_chart_draw_legend      (BrmChart       *self,
                                            cairo_t        *cr,
                                            double          x,
                                            double          y,
                                            double          width,
                                            gboolean        swatch_is_pattern);
double          brm_chart_measure_legend   (BrmChart       *self,
                                            double          width);
/* A rounded box with lines of text near (@x, @y), kept inside @bounds:
 * the crosshair and focused point readout. */
void            brm_chart_draw_readout     (BrmChart       *self,
                                            cairo_t        *cr,
                                            double          data_x,
                                            double          x,
                                            double          y,
                                            const graphene_rect_t *bounds);
/* Horizontal grid lines and labels at @ticks (from
 * brm_chart_nice_ticks()), left of @plot. */
double          brm_chart_measure_y_axis   (BrmChart       *self,
                                            GArray         *ticks,
                                            double          step);
void            brm_chart_draw_y_axis      (BrmChart       *self,
                                            cairo_t        *cr,
                                            const graphene_rect_t *plot,
                                            GArray         *ticks,
                                            double          step,
                                            const BrmChartScale *y_scale);
/* Nice ticks for values in the chart's unit: whole steps for counts. */
GArray         *brm_chart_value_ticks      (BrmChart       *self,
                                            double          data_min,
                                            double          data_max,
                                            guint           max_ticks,
                                            double         *axis_min,
                                            double         *axis_max,
                                            double         *step);
/* Whether the threshold belongs in the y range for data reaching
 * @data_max: not when it is more than four times higher (a $500 budget
 * over $3 of spend), which brm_chart_draw_threshold() then names at the
 * top of the plot instead of drawing to scale. */
gboolean        brm_chart_threshold_in_range (BrmChart     *self,
                                              double        data_max);
/* The dashed, labelled threshold line, if any. */
void            brm_chart_draw_threshold   (BrmChart       *self,
                                            cairo_t        *cr,
                                            const graphene_rect_t *plot,
                                            const BrmChartScale *y_scale);
/* "Throughput 42 leads/min, up 12 % over the last 15 minutes": each
 * series' latest value and its change since @x_from. */
char           *brm_chart_dup_trend_summary (BrmChart      *self,
                                             double         x_from);

G_END_DECLS
