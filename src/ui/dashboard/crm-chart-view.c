/* crm-chart-view.c: a src/charts chart as a GTK widget, with hover tooltips, a crosshair and keyboard focus */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "crm-chart-view.h"

typedef enum
{
  HIT_NONE,
  HIT_POINTS,      /* line: points across the plot */
  HIT_SLOTS,       /* bars, NPS answers: columns of equal width */
  HIT_ROWS,        /* funnel steps */
  HIT_CELLS,       /* heatmap */
  HIT_WHOLE,       /* a KPI tile is one item */
} HitKind;

struct _CrmChartView
{
  GtkWidget         parent_instance;

  CrmChartDrawFunc  draw;
  CrmChartData      data;
  CrmChartLayout    layout;
  gpointer          owner;
  GDestroyNotify    owner_free;
  HitKind           hit;
  int               selected;
  gboolean          from_keyboard;
};

G_DEFINE_FINAL_TYPE (CrmChartView, crm_chart_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint
n_items (CrmChartView *self)
{
  switch (self->hit)
    {
    case HIT_POINTS:
    case HIT_SLOTS:
    case HIT_ROWS:
      return self->data.n_categories;
    case HIT_CELLS:
      return self->data.n_categories * self->data.n_columns;
    case HIT_WHOLE:
      return 1;
    case HIT_NONE:
    default:
      return 0;
    }
}

static void
init_style (CrmChartView  *self,
            CrmChartStyle *style)
{
  if (adw_style_manager_get_dark (adw_style_manager_get_default ()))
    crm_chart_style_init_dark (style);
  else
    crm_chart_style_init_light (style);
  /* The charts' sizes are points on paper; on screen they are pixels. */
  style->font_size = 12;
  style->title_size = 14;
  style->line_width = 2;
  style->fill_background = FALSE;
}

/* The item at widget coordinates (@x, @y), from the geometry of the last
 * draw; -1 outside. */
static int
item_at (CrmChartView *self,
         double        x,
         double        y)
{
  const CrmChartLayout *l = &self->layout;
  guint n = self->data.n_categories;
  double col, row;

  if (n_items (self) == 0)
    return -1;
  switch (self->hit)
    {
    case HIT_WHOLE:
      return 0;
    case HIT_POINTS:
      if (y < l->plot_y || y > l->plot_y + l->plot_height ||
          x < l->plot_x - l->cell_width / 2 || x > l->plot_x + l->plot_width + l->cell_width / 2)
        return -1;
      if (n == 1)
        return 0;
      return CLAMP ((int) round ((x - l->plot_x) / l->cell_width), 0, (int) n - 1);
    case HIT_SLOTS:
      if (y < l->plot_y || y > l->plot_y + l->plot_height || x < l->plot_x || l->cell_width <= 0)
        return -1;
      col = floor ((x - l->plot_x) / l->cell_width);
      return col < n ? (int) col : -1;
    case HIT_ROWS:
      if (y < l->plot_y || l->cell_height <= 0)
        return -1;
      row = floor ((y - l->plot_y) / l->cell_height);
      return row < n ? (int) row : -1;
    case HIT_CELLS:
      if (x < l->plot_x || y < l->plot_y || l->cell_width <= 0 || l->cell_height <= 0)
        return -1;
      col = floor ((x - l->plot_x) / l->cell_width);
      row = floor ((y - l->plot_y) / l->cell_height);
      if (col >= self->data.n_columns || row >= n)
        return -1;
      return (int) (row * self->data.n_columns + col);
    case HIT_NONE:
    default:
      return -1;
    }
}

char *
crm_chart_view_describe (CrmChartView *self,
                         int           index)
{
  const CrmChartData *d = &self->data;
  g_autofree char *label = NULL;
  GString *text;

  g_return_val_if_fail (CRM_IS_CHART_VIEW (self), NULL);

  if (index < 0 || (guint) index >= n_items (self))
    return NULL;
  if (self->hit == HIT_WHOLE)
    {
      g_autofree char *value = isnan (d->value) && d->empty_text != NULL
                                 ? g_strdup (d->empty_text)
                                 : crm_chart_format_value (d->format, d->value, FALSE);
      g_autofree char *previous = crm_chart_format_value (d->format, d->previous, FALSE);

      if (isnan (d->value) || isnan (d->previous))
        /* Translators: a KPI tile's tooltip: name and value. */
        return g_strdup_printf (_("%s: %s"), d->title, value);
      /* Translators: a KPI tile's tooltip: name, value, value of the period before. */
      return g_strdup_printf (_("%s: %s (previous period: %s)"), d->title, value, previous);
    }
  if (self->hit == HIT_CELLS)
    {
      guint row = index / d->n_columns, col = index % d->n_columns;
      double v = d->cells[index];
      g_autofree char *share = isnan (v) ? g_strdup (_("not yet")) : crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, v, FALSE);

      label = crm_chart_category_label (d, row);
      /* Translators: a heatmap cell: row (cohort), its note (size), column (month), value. */
      return g_strdup_printf (_("%s (%s), %s: %s"), label,
                              d->row_notes != NULL ? d->row_notes[row] : "",
                              d->column_labels != NULL ? d->column_labels[col] : "", share);
    }

  if (d->categories != NULL || d->dates != NULL)
    label = crm_chart_category_label (d, index);
  else
    label = g_strdup_printf ("%d", index);
  text = g_string_new (label);
  for (guint s = 0; s < d->n_series; s++)
    {
      g_autofree char *value = crm_chart_format_value (d->format, d->series[s].values[index], FALSE);

      g_string_append_c (text, '\n');
      if (d->series[s].name != NULL && d->n_series > 1)
        /* Translators: a series and its value in a chart tooltip. */
        g_string_append_printf (text, _("%s: %s"), d->series[s].name, value);
      else
        g_string_append (text, value);
    }
  return g_string_free (text, FALSE);
}

static void
update_accessible (CrmChartView *self)
{
  g_autofree char *description = crm_chart_view_describe (self, self->selected);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->data.title != NULL ? self->data.title : "",
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description != NULL ? description : "",
                                  -1);
}

static void
set_selected (CrmChartView *self,
              int           index,
              gboolean      from_keyboard)
{
  int n = (int) n_items (self);

  index = index < 0 || n == 0 ? -1 : MIN (index, n - 1);
  self->from_keyboard = from_keyboard && index >= 0;
  if (self->selected == index)
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  self->selected = index;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

static void
draw_highlight (CrmChartView        *self,
                cairo_t             *cr,
                const CrmChartStyle *style)
{
  const CrmChartLayout *l = &self->layout;
  const CrmChartData *d = &self->data;
  int i = self->selected;

  cairo_save (cr);
  switch (self->hit)
    {
    case HIT_POINTS:
      {
        double x = d->n_categories > 1 ? l->plot_x + l->cell_width * i : l->plot_x + l->plot_width / 2;
        double span = l->axis_max - l->axis_min;

        cairo_set_source_rgba (cr, style->foreground[0], style->foreground[1], style->foreground[2], 0.45);
        cairo_set_line_width (cr, 1);
        cairo_move_to (cr, round (x) + 0.5, l->plot_y);
        cairo_line_to (cr, round (x) + 0.5, l->plot_y + l->plot_height);
        cairo_stroke (cr);
        for (guint s = 0; s < d->n_series && span > 0; s++)
          {
            double v = d->series[s].values[i];
            guint c = s % CRM_CHART_PALETTE_SIZE;

            if (isnan (v))
              continue;
            cairo_arc (cr, x, l->plot_y + l->plot_height * (1 - (v - l->axis_min) / span), 4, 0, 2 * G_PI);
            cairo_set_source_rgba (cr, style->palette[c][0], style->palette[c][1], style->palette[c][2], 1);
            cairo_fill_preserve (cr);
            cairo_set_source_rgba (cr, style->background[0], style->background[1], style->background[2], 1);
            cairo_set_line_width (cr, 1.5);
            cairo_stroke (cr);
          }
        break;
      }
    case HIT_SLOTS:
      cairo_set_source_rgba (cr, style->foreground[0], style->foreground[1], style->foreground[2], 0.08);
      cairo_rectangle (cr, l->plot_x + l->cell_width * i, l->plot_y, l->cell_width, l->plot_height);
      cairo_fill (cr);
      break;
    case HIT_ROWS:
      cairo_set_source_rgba (cr, style->foreground[0], style->foreground[1], style->foreground[2], 0.08);
      cairo_rectangle (cr, 0, l->plot_y + l->cell_height * i, gtk_widget_get_width (GTK_WIDGET (self)),
                       l->cell_height);
      cairo_fill (cr);
      break;
    case HIT_CELLS:
      cairo_set_source_rgba (cr, style->foreground[0], style->foreground[1], style->foreground[2], 0.9);
      cairo_set_line_width (cr, 2);
      cairo_rectangle (cr, l->plot_x + l->cell_width * (i % d->n_columns) + 1,
                       l->plot_y + l->cell_height * (i / d->n_columns) + 1,
                       l->cell_width - 2.5, l->cell_height - 2.5);
      cairo_stroke (cr);
      break;
    case HIT_WHOLE:
    case HIT_NONE:
    default:
      break;
    }
  cairo_restore (cr);
}

/* With the keyboard there is no tooltip: the item's text is drawn in a box
 * at the top right of the plot. */
static void
draw_readout (CrmChartView        *self,
              GtkSnapshot         *snapshot,
              double               width)
{
  g_autofree char *text = crm_chart_view_describe (self, self->selected);
  PangoLayout *layout;
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));
  int w, h;
  double x, y, pad = 6;
  GdkRGBA fg, bg;

  if (text == NULL || self->hit == HIT_WHOLE)
    return;
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  pango_layout_get_pixel_size (layout, &w, &h);
  x = MAX (width - w - 2 * pad - 4, 0);
  y = MAX (self->layout.plot_y, 0);
  gtk_style_context_get_color (context, &fg);
  bg = adw_style_manager_get_dark (adw_style_manager_get_default ())
         ? (GdkRGBA) { 0.2, 0.2, 0.2, 0.95 } : (GdkRGBA) { 1, 1, 1, 0.95 };
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { fg.red, fg.green, fg.blue, 0.3 },
                             &GRAPHENE_RECT_INIT (x - 1, y - 1, w + 2 * pad + 2, h + 2 * pad + 2));
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (x, y, w + 2 * pad, h + 2 * pad));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + pad, y + pad));
  gtk_snapshot_append_layout (snapshot, layout, &fg);
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

static void
crm_chart_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  CrmChartView *self = CRM_CHART_VIEW (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  CrmChartStyle style;
  cairo_t *cr;

  if (self->draw == NULL || width < 1 || height < 1)
    return;
  init_style (self, &style);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  self->data.layout = &self->layout;
  self->draw (cr, &self->data, &style, width, height);
  if (self->selected >= 0 && (guint) self->selected < n_items (self))
    draw_highlight (self, cr, &style);
  cairo_destroy (cr);
  if (self->from_keyboard && self->selected >= 0 && gtk_widget_has_focus (widget))
    draw_readout (self, snapshot, width);
}

static gboolean
on_query_tooltip (CrmChartView *self,
                  int           x,
                  int           y,
                  gboolean      keyboard,
                  GtkTooltip   *tooltip)
{
  g_autofree char *text = NULL;
  int index = keyboard ? self->selected : item_at (self, x, y);

  text = crm_chart_view_describe (self, index);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           CrmChartView             *self)
{
  set_selected (self, item_at (self, x, y), FALSE);
}

static void
on_leave (GtkEventControllerMotion *motion,
          CrmChartView             *self)
{
  if (!self->from_keyboard)
    set_selected (self, -1, FALSE);
}

static void
on_released (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             CrmChartView    *self)
{
  int index = item_at (self, x, y);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (index >= 0)
    g_signal_emit (self, signals[ACTIVATED], 0, index);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CrmChartView          *self)
{
  int n = (int) n_items (self);
  int i = self->selected;
  int step = 1;

  if (n == 0)
    return FALSE;
  /* In a heatmap, up and down move by a row. */
  if (self->hit == HIT_CELLS && (keyval == GDK_KEY_Up || keyval == GDK_KEY_Down))
    step = self->data.n_columns;
  switch (keyval)
    {
    case GDK_KEY_Right:
    case GDK_KEY_Down:
      set_selected (self, i < 0 ? 0 : MIN (i + step, n - 1), TRUE);
      return TRUE;
    case GDK_KEY_Left:
    case GDK_KEY_Up:
      set_selected (self, i < 0 ? n - 1 : MAX (i - step, 0), TRUE);
      return TRUE;
    case GDK_KEY_Home:
      set_selected (self, 0, TRUE);
      return TRUE;
    case GDK_KEY_End:
      set_selected (self, n - 1, TRUE);
      return TRUE;
    case GDK_KEY_Escape:
      if (i < 0)
        return FALSE;
      set_selected (self, -1, FALSE);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      g_signal_emit (self, signals[ACTIVATED], 0, i < 0 ? 0 : i);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
on_focus_leave (CrmChartView *self)
{
  if (self->from_keyboard)
    set_selected (self, -1, FALSE);
}

static void
crm_chart_view_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  /* Callers set the size with gtk_widget_set_size_request(); a flow box
   * then fits as many as the width allows. */
  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 120 : 80;
}

static void
crm_chart_view_finalize (GObject *object)
{
  CrmChartView *self = CRM_CHART_VIEW (object);

  if (self->owner_free != NULL && self->owner != NULL)
    self->owner_free (self->owner);

  G_OBJECT_CLASS (crm_chart_view_parent_class)->finalize (object);
}

static void
crm_chart_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CrmChartView *self = CRM_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      g_value_set_int (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_chart_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CrmChartView *self = CRM_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      crm_chart_view_set_selected (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_chart_view_class_init (CrmChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = crm_chart_view_finalize;
  object_class->get_property = crm_chart_view_get_property;
  object_class->set_property = crm_chart_view_set_property;
  widget_class->snapshot = crm_chart_view_snapshot;
  widget_class->measure = crm_chart_view_measure;

  properties[PROP_SELECTED] =
    g_param_spec_int ("selected", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A point, bar, row or cell was clicked or chosen with Enter. */
  signals[ACTIVATED] = g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
crm_chart_view_init (CrmChartView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->selected = -1;
  crm_chart_data_init (&self->data);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (on_focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
}

GtkWidget *
crm_chart_view_new (void)
{
  return g_object_new (CRM_TYPE_CHART_VIEW, NULL);
}

void
crm_chart_view_set_chart (CrmChartView       *self,
                          CrmChartDrawFunc    draw,
                          const CrmChartData *data,
                          gpointer            owner,
                          GDestroyNotify      owner_free)
{
  g_return_if_fail (CRM_IS_CHART_VIEW (self));
  g_return_if_fail (draw != NULL && data != NULL);

  if (self->owner_free != NULL && self->owner != NULL)
    self->owner_free (self->owner);
  self->owner = owner;
  self->owner_free = owner_free;
  self->draw = draw;
  self->data = *data;
  self->data.layout = &self->layout;
  memset (&self->layout, 0, sizeof self->layout);
  if (draw == crm_chart_line_draw)
    self->hit = HIT_POINTS;
  else if (draw == crm_chart_bar_draw || draw == crm_chart_nps_draw)
    self->hit = HIT_SLOTS;
  else if (draw == crm_chart_funnel_draw)
    self->hit = HIT_ROWS;
  else if (draw == crm_chart_heatmap_draw)
    self->hit = HIT_CELLS;
  else if (draw == crm_chart_tile_draw || draw == crm_chart_gauge_draw)
    self->hit = HIT_WHOLE;
  else
    self->hit = HIT_NONE;
  self->selected = -1;
  self->from_keyboard = FALSE;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

const CrmChartData *
crm_chart_view_get_data (CrmChartView *self)
{
  g_return_val_if_fail (CRM_IS_CHART_VIEW (self), NULL);

  return &self->data;
}

int
crm_chart_view_get_selected (CrmChartView *self)
{
  g_return_val_if_fail (CRM_IS_CHART_VIEW (self), -1);

  return self->selected;
}

void
crm_chart_view_set_selected (CrmChartView *self,
                             int           index)
{
  g_return_if_fail (CRM_IS_CHART_VIEW (self));

  set_selected (self, index, TRUE);
}
