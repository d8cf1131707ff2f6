/* crm-chart.c: styles, axes, number formats and text shared by every chart */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "crm-chart-private.h"

static void
set_rgba (double       rgba[4],
          unsigned int hex,
          double       alpha)
{
  rgba[0] = ((hex >> 16) & 0xff) / 255.0;
  rgba[1] = ((hex >> 8) & 0xff) / 255.0;
  rgba[2] = (hex & 0xff) / 255.0;
  rgba[3] = alpha;
}

/* Okabe & Ito, "Color Universal Design" (2008): distinguishable with
 * protanopia, deuteranopia and tritanopia, and in greyscale by lightness
 * for the first few. Blue first: it prints well. */
static const unsigned int okabe_ito[CRM_CHART_PALETTE_SIZE] = {
  0x0072B2, /* blue */
  0xE69F00, /* orange */
  0x009E73, /* bluish green */
  0xCC79A7, /* reddish purple */
  0x56B4E9, /* sky blue */
  0xD55E00, /* vermillion */
  0xF0E442, /* yellow */
  0x000000, /* black (white on dark) */
};

static void
style_init_common (CrmChartStyle *style)
{
  memset (style, 0, sizeof *style);
  for (guint i = 0; i < CRM_CHART_PALETTE_SIZE; i++)
    set_rgba (style->palette[i], okabe_ito[i], 1.0);
  /* Better/worse as blue/vermillion, not green/red. */
  set_rgba (style->positive, 0x0072B2, 1.0);
  set_rgba (style->negative, 0xD55E00, 1.0);
  style->font_family = "Noto Sans CJK SC, Noto Sans, sans-serif";
  style->font_size = 9.0;
  style->title_size = 11.0;
  style->line_width = 1.5;
  style->fill_background = TRUE;
}

void
crm_chart_style_init_light (CrmChartStyle *style)
{
  style_init_common (style);
  set_rgba (style->background, 0xFFFFFF, 1.0);
  set_rgba (style->foreground, 0x1F2328, 1.0);
  set_rgba (style->muted, 0x6E7781, 1.0);
  set_rgba (style->grid, 0xD0D7DE, 1.0);
  set_rgba (style->heat_low, 0xF2F7FB, 1.0);
  set_rgba (style->heat_high, 0x08306B, 1.0);
}

void
crm_chart_style_init_dark (CrmChartStyle *style)
{
  style_init_common (style);
  set_rgba (style->background, 0x242424, 1.0);
  set_rgba (style->foreground, 0xF0F0F0, 1.0);
  set_rgba (style->muted, 0xA0A0A0, 1.0);
  set_rgba (style->grid, 0x454545, 1.0);
  set_rgba (style->palette[7], 0xFFFFFF, 1.0);
  set_rgba (style->positive, 0x56B4E9, 1.0);
  set_rgba (style->heat_low, 0x2B2B2B, 1.0);
  set_rgba (style->heat_high, 0x56B4E9, 1.0);
}

void
crm_chart_data_init (CrmChartData *data)
{
  memset (data, 0, sizeof *data);
  data->value = NAN;
  data->previous = NAN;
  data->target = NAN;
}

/* ---------------------------------------------------------------------- */
/* Numbers */

void
crm_chart_nice_axis (double  min,
                     double  max,
                     guint   max_ticks,
                     double *out_min,
                     double *out_max,
                     double *out_step)
{
  double range, raw, magnitude, normalized, step;

  if (!isfinite (min) || !isfinite (max))
    min = max = 0;
  if (max < min)
    {
      double t = min;
      min = max;
      max = t;
    }
  if (max == min)
    {
      /* A flat series still gets an axis around it. */
      if (max == 0)
        max = 1;
      else if (max > 0)
        min = 0;
      else
        max = 0;
    }
  range = max - min;
  raw = range / MAX (max_ticks, 1);
  magnitude = pow (10, floor (log10 (raw)));
  normalized = raw / magnitude;
  if (normalized <= 1)
    step = magnitude;
  else if (normalized <= 2)
    step = 2 * magnitude;
  else if (normalized <= 5)
    step = 5 * magnitude;
  else
    step = 10 * magnitude;
  /* The small epsilon keeps 0.30000000000000004 from adding a tick. */
  *out_min = floor (min / step + 1e-9) * step;
  *out_max = ceil (max / step - 1e-9) * step;
  *out_step = step;
}

/* Digits of @integer_text grouped by thousands with the locale's
 * separator, or a comma when the locale has none (C): figures in a
 * report are read by people. */
static char *
group_digits (const char *integer_text)
{
  const struct lconv *lc = localeconv ();
  const char *sep = lc->thousands_sep != NULL && lc->thousands_sep[0] != '\0' ? lc->thousands_sep : ",";
  GString *out = g_string_new (NULL);
  const char *digits = integer_text;
  gsize n;

  if (*digits == '-')
    {
      g_string_append_c (out, '-');
      digits++;
    }
  n = strlen (digits);
  for (gsize i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        g_string_append (out, sep);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

static char *
format_plain (double value,
              int    decimals)
{
  char buf[64];
  g_autofree char *grouped = NULL;
  char *dot;
  const struct lconv *lc = localeconv ();
  const char *point = lc->decimal_point != NULL && lc->decimal_point[0] != '\0' ? lc->decimal_point : ".";

  g_ascii_formatd (buf, sizeof buf, decimals == 0 ? "%.0f" : decimals == 1 ? "%.1f" : "%.2f", value);
  if (strcmp (buf, "-0") == 0)
    strcpy (buf, "0");
  dot = strchr (buf, '.');
  if (dot != NULL)
    *dot = '\0';
  grouped = group_digits (buf);
  if (dot == NULL)
    return g_steal_pointer (&grouped);
  return g_strconcat (grouped, point, dot + 1, NULL);
}

static int
decimals_for (double value)
{
  double a = fabs (value);

  if (a == 0 || a >= 100 || fabs (a - round (a)) < 1e-9)
    return 0;
  if (a >= 10)
    return 1;
  return 2;
}

static char *
format_compact (double value)
{
  /* Translators: "chinese" to shorten big numbers in 万 and 亿 (10⁴,
   * 10⁸), anything else for K, M, B (10³, 10⁶, 10⁹). */
  gboolean chinese = g_strcmp0 (C_("compact numbers", "western"), "chinese") == 0;
  double a = fabs (value);
  double unit = 1;
  g_autofree char *digits = NULL;

  if (chinese)
    unit = a >= 1e8 ? 1e8 : a >= 1e4 ? 1e4 : 1;
  else
    unit = a >= 1e9 ? 1e9 : a >= 1e6 ? 1e6 : a >= 1e4 ? 1e3 : 1;
  if (unit == 1)
    return format_plain (value, decimals_for (value));

  digits = format_plain (value / unit, fabs (value / unit) < 10 && fabs (value / unit - round (value / unit)) > 1e-9 ? 1 : 0);
  if (unit == 1e8)
    /* Translators: 亿, 10⁸; %s is the number. */
    return g_strdup_printf (C_("compact numbers", "%s×10⁸"), digits);
  if (unit == 1e4)
    /* Translators: 万, 10⁴; %s is the number. */
    return g_strdup_printf (C_("compact numbers", "%s×10⁴"), digits);
  if (unit == 1e9)
    return g_strdup_printf (C_("compact numbers", "%sB"), digits);
  if (unit == 1e6)
    return g_strdup_printf (C_("compact numbers", "%sM"), digits);
  return g_strdup_printf (C_("compact numbers", "%sK"), digits);
}

char *
crm_chart_format_value (CrmChartFormat format,
                        double         value,
                        gboolean       compact)
{
  g_autofree char *number = NULL;

  if (isnan (value))
    /* Translators: a figure that cannot be computed (no data). */
    return g_strdup (_("n/a"));

  switch (format)
    {
    case CRM_CHART_FORMAT_PERCENT:
      number = format_plain (value * 100, fabs (value) < 0.1 && value != 0 ? 1 : (compact ? 0 : 1));
      /* Translators: a percentage; %s is the number. */
      return g_strdup_printf (_("%s%%"), number);
    case CRM_CHART_FORMAT_MONEY:
      {
        g_autofree char *amount = NULL;

        /* The sign goes before the currency: −¥1,200, not ¥-1,200. */
        number = compact ? format_compact (fabs (value)) : format_plain (fabs (value), 0);
        /* Translators: an amount of money in the default currency (CNY). */
        amount = g_strdup_printf (_("¥%s"), number);
        if (value < 0 && strcmp (number, "0") != 0)
          return g_strconcat ("-", amount, NULL);
        return g_steal_pointer (&amount);
      }
    case CRM_CHART_FORMAT_HOURS:
      number = format_plain (value, value < 10 ? 1 : 0);
      /* Translators: a duration in hours; %s is the number. */
      return g_strdup_printf (_("%s h"), number);
    case CRM_CHART_FORMAT_SCORE:
      /* Whole points, as the NPS is quoted everywhere; no "-0". */
      if (round (value) == 0)
        return g_strdup ("0");
      return g_strdup_printf ("%+.0f", round (value));
    case CRM_CHART_FORMAT_NUMBER:
    default:
      return compact ? format_compact (value) : format_plain (value, decimals_for (value));
    }
}

void
crm_chart_heat_color (const CrmChartStyle *style,
                      double               fraction,
                      double               rgba[4])
{
  /* A square root spreads the low retention values (5–30 %), where most
   * cells are, over more of the scale. */
  double t = sqrt (CLAMP (fraction, 0.0, 1.0));

  for (int i = 0; i < 4; i++)
    rgba[i] = style->heat_low[i] + (style->heat_high[i] - style->heat_low[i]) * t;
}

/* ---------------------------------------------------------------------- */
/* Text */

void
crm_chart_set_color (cairo_t      *cr,
                     const double  rgba[4])
{
  cairo_set_source_rgba (cr, rgba[0], rgba[1], rgba[2], rgba[3]);
}

static const cairo_user_data_key_t pango_context_key;

/* One Pango context per cairo_t, kept on it: a chart draws dozens of
 * labels, and a context of its own per label loses Pango's font and shaping
 * caches (most of the time of drawing a chart went there). */
static PangoContext *
text_context (cairo_t *cr)
{
  PangoContext *context = cairo_get_user_data (cr, &pango_context_key);

  if (context == NULL)
    {
      cairo_font_options_t *options = cairo_font_options_create ();

      context = pango_cairo_create_context (cr);
      /* Unhinted metrics: text measures the same at every scale, so a chart
       * is laid out identically on screen, on paper and at 300 dpi. */
      cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
      cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
      pango_cairo_context_set_font_options (context, options);
      cairo_font_options_destroy (options);
      cairo_set_user_data (cr, &pango_context_key, context, g_object_unref);
    }
  else
    /* Cheap when the transformation is unchanged. */
    pango_cairo_update_context (cr, context);
  return context;
}

PangoLayout *
crm_chart_text_layout (cairo_t             *cr,
                       const CrmChartStyle *style,
                       double               size,
                       gboolean             bold,
                       const char          *text)
{
  PangoLayout *layout = pango_layout_new (text_context (cr));
  PangoFontDescription *desc = pango_font_description_from_string (style->font_family);

  pango_font_description_set_absolute_size (desc, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

void
crm_chart_text_size (cairo_t             *cr,
                     const CrmChartStyle *style,
                     double               size,
                     gboolean             bold,
                     const char          *text,
                     double              *width,
                     double              *height)
{
  PangoLayout *layout = crm_chart_text_layout (cr, style, size, bold, text);
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  if (width != NULL)
    *width = (double) logical.width / PANGO_SCALE;
  if (height != NULL)
    *height = (double) logical.height / PANGO_SCALE;
  g_object_unref (layout);
}

double
crm_chart_draw_text (cairo_t             *cr,
                     const CrmChartStyle *style,
                     double               size,
                     gboolean             bold,
                     const double         rgba[4],
                     const char          *text,
                     double               x,
                     double               y,
                     CrmChartAlign        halign,
                     CrmChartAlign        valign,
                     double               max_width)
{
  PangoLayout *layout = crm_chart_text_layout (cr, style, size, bold, text);
  PangoRectangle logical;
  double w, h;

  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  pango_layout_get_extents (layout, NULL, &logical);
  w = (double) logical.width / PANGO_SCALE;
  h = (double) logical.height / PANGO_SCALE;
  if (halign == CRM_CHART_ALIGN_CENTER)
    x -= w / 2;
  else if (halign == CRM_CHART_ALIGN_END)
    x -= w;
  if (valign == CRM_CHART_ALIGN_CENTER)
    y -= h / 2;
  else if (valign == CRM_CHART_ALIGN_END)
    y -= h;

  cairo_save (cr);
  crm_chart_set_color (cr, rgba);
  cairo_move_to (cr, x - (double) logical.x / PANGO_SCALE, y);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
  return w;
}

/* ---------------------------------------------------------------------- */
/* Frame, legend, axes */

double
crm_chart_draw_frame (cairo_t             *cr,
                      const CrmChartData  *data,
                      const CrmChartStyle *style,
                      double               width,
                      double               height)
{
  double y = 0;

  if (style->fill_background)
    {
      cairo_save (cr);
      crm_chart_set_color (cr, style->background);
      cairo_rectangle (cr, 0, 0, width, height);
      cairo_fill (cr);
      cairo_restore (cr);
    }
  if (data->title != NULL)
    {
      double h;

      crm_chart_text_size (cr, style, style->title_size, TRUE, data->title, NULL, &h);
      crm_chart_draw_text (cr, style, style->title_size, TRUE, style->foreground, data->title,
                           0, 0, CRM_CHART_ALIGN_START, CRM_CHART_ALIGN_START, width);
      y += h;
    }
  if (data->subtitle != NULL)
    {
      double h;

      crm_chart_text_size (cr, style, style->font_size, FALSE, data->subtitle, NULL, &h);
      crm_chart_draw_text (cr, style, style->font_size, FALSE, style->muted, data->subtitle,
                           0, y, CRM_CHART_ALIGN_START, CRM_CHART_ALIGN_START, width);
      y += h;
    }
  return y > 0 ? y + style->font_size * 0.5 : 0;
}

void
crm_chart_series_color (const CrmChartStyle *style,
                        const CrmChartData  *data,
                        guint                series,
                        double               rgba[4])
{
  /* Comparison series are muted grey; the others take the palette in
   * order, skipping the slots the comparison series take. */
  guint colour = 0;

  if (data->series[series].comparison)
    {
      memcpy (rgba, style->muted, sizeof (double) * 4);
      return;
    }
  for (guint i = 0; i < series; i++)
    if (!data->series[i].comparison)
      colour++;
  memcpy (rgba, style->palette[colour % CRM_CHART_PALETTE_SIZE], sizeof (double) * 4);
}

double
crm_chart_draw_legend (cairo_t             *cr,
                       const CrmChartData  *data,
                       const CrmChartStyle *style,
                       double               width,
                       double               y,
                       gboolean             lines)
{
  double x = width;
  double swatch = style->font_size;
  double gap = style->font_size * 0.4;
  double h = 0;

  if (data->n_series < 2)
    return 0;
  for (guint i = data->n_series; i-- > 0;)
    {
      double rgba[4];
      double w;

      if (data->series[i].name == NULL)
        continue;
      crm_chart_text_size (cr, style, style->font_size, FALSE, data->series[i].name, &w, &h);
      x -= w;
      crm_chart_draw_text (cr, style, style->font_size, FALSE, style->foreground,
                           data->series[i].name, x, y, CRM_CHART_ALIGN_START,
                           CRM_CHART_ALIGN_START, 0);
      x -= gap + swatch;
      crm_chart_series_color (style, data, i, rgba);
      cairo_save (cr);
      crm_chart_set_color (cr, rgba);
      if (data->series[i].comparison && lines)
        {
          double dash[] = { swatch / 4, swatch / 6 };

          cairo_set_dash (cr, dash, 2, 0);
          cairo_set_line_width (cr, style->line_width);
          cairo_move_to (cr, x, y + h / 2);
          cairo_line_to (cr, x + swatch, y + h / 2);
          cairo_stroke (cr);
        }
      else
        {
          cairo_rectangle (cr, x, y + (h - swatch * 0.8) / 2, swatch, swatch * 0.8);
          cairo_fill (cr);
        }
      cairo_restore (cr);
      x -= swatch * 1.5;
    }
  return h + style->font_size * 0.5;
}

void
crm_chart_draw_empty (cairo_t             *cr,
                      const CrmChartData  *data,
                      const CrmChartStyle *style,
                      double               x,
                      double               y,
                      double               width,
                      double               height)
{
  const char *text = data->empty_text != NULL ? data->empty_text : _("No data for this period");

  cairo_save (cr);
  crm_chart_set_color (cr, style->grid);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, x + 0.5, y + 0.5, MAX (width - 1, 0), MAX (height - 1, 0));
  cairo_stroke (cr);
  cairo_restore (cr);
  crm_chart_draw_text (cr, style, style->font_size, FALSE, style->muted, text,
                       x + width / 2, y + height / 2, CRM_CHART_ALIGN_CENTER,
                       CRM_CHART_ALIGN_CENTER, width);
}

double
crm_chart_value_axis_width (cairo_t             *cr,
                            const CrmChartStyle *style,
                            CrmChartFormat       format,
                            double               min,
                            double               max)
{
  double widest = 0;
  double values[] = { min, max, (min + max) / 2 };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *text = crm_chart_format_value (format, values[i], TRUE);
      double w;

      crm_chart_text_size (cr, style, style->font_size, FALSE, text, &w, NULL);
      widest = MAX (widest, w);
    }
  return widest + style->font_size * 0.6;
}

double
crm_chart_y_for (const CrmChartLayout *layout,
                 double                value)
{
  double span = layout->axis_max - layout->axis_min;

  if (span <= 0)
    return layout->plot_y + layout->plot_height;
  return layout->plot_y + layout->plot_height * (1 - (value - layout->axis_min) / span);
}

void
crm_chart_draw_value_axis (cairo_t             *cr,
                           const CrmChartStyle *style,
                           CrmChartFormat       format,
                           CrmChartLayout      *layout)
{
  guint n = (guint) round ((layout->axis_max - layout->axis_min) / layout->axis_step);

  cairo_save (cr);
  cairo_set_line_width (cr, 0.5);
  for (guint i = 0; i <= n; i++)
    {
      double v = layout->axis_min + i * layout->axis_step;
      double y = crm_chart_y_for (layout, v);
      g_autofree char *text = crm_chart_format_value (format, fabs (v) < layout->axis_step * 1e-6 ? 0 : v, TRUE);

      crm_chart_set_color (cr, fabs (v) < layout->axis_step * 1e-6 ? style->muted : style->grid);
      cairo_move_to (cr, layout->plot_x, y);
      cairo_line_to (cr, layout->plot_x + layout->plot_width, y);
      cairo_stroke (cr);
      crm_chart_draw_text (cr, style, style->font_size, FALSE, style->muted, text,
                           layout->plot_x - style->font_size * 0.4, y,
                           CRM_CHART_ALIGN_END, CRM_CHART_ALIGN_CENTER, 0);
    }
  cairo_restore (cr);
}

char *
crm_chart_category_label (const CrmChartData *data,
                          guint               i)
{
  char buf[128];
  const char *format = NULL;

  if (data->dates != NULL && data->date_unit != CRM_CHART_DATE_NONE && g_date_valid (&data->dates[i]))
    {
      const GDate *d = &data->dates[i];

      switch (data->date_unit)
        {
        case CRM_CHART_DATE_DAY:
        case CRM_CHART_DATE_WEEK:
          /* Translators: a day on a chart axis, strftime format (3 Mar). */
          format = C_("chart axis", "%e %b");
          break;
        case CRM_CHART_DATE_MONTH:
          /* Translators: a month on a chart axis, strftime format (Mar 2024). */
          format = C_("chart axis", "%b %Y");
          break;
        case CRM_CHART_DATE_QUARTER:
          /* Translators: a quarter on a chart axis: Q1 2024. */
          return g_strdup_printf (C_("chart axis", "Q%d %d"), (g_date_get_month (d) - 1) / 3 + 1,
                                  g_date_get_year (d));
        case CRM_CHART_DATE_NONE:
        default:
          break;
        }
      if (format != NULL && g_date_strftime (buf, sizeof buf, format, d) > 0)
        return g_strdup (g_strstrip (buf));
    }
  if (data->categories != NULL && data->categories[i] != NULL)
    return g_strdup (data->categories[i]);
  return g_strdup_printf ("%u", i + 1);
}

gboolean
crm_chart_has_values (const CrmChartData *data)
{
  for (guint s = 0; s < data->n_series; s++)
    for (guint i = 0; i < data->n_categories; i++)
      if (!isnan (data->series[s].values[i]) && data->series[s].values[i] != 0)
        return TRUE;
  return FALSE;
}
