/* crm-report.c: paginated reports (header, footer, headings, tables, charts) rendered with Cairo */

#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "crm-runtime.h"
#include "crm-report-private.h"
#include "crm-report.h"
#include "crm-report-private.h"

G_DEFINE_QUARK (crm-report-error-quark, crm_report_error)

#define FONT_FAMILY "Noto Sans CJK SC, Noto Sans, sans-serif"
#define BODY_SIZE 9.5
#define HEADING_SIZE 14.0
#define TABLE_SIZE 8.5
#define SMALL_SIZE 7.5
#define GAP 10.0
#define CELL_PAD 4.0

typedef struct
{
  guint           n_columns;
  char          **headers;
  CrmReportAlign *aligns;
  double         *widths;
  GPtrArray      *rows;     /* char ** (strv) */
} Table;

typedef struct
{
  CrmReportBlockKind kind;
  char              *text;
  CrmReportDrawFunc  draw;
  CrmChartData       data;
  double             height;
  CrmChartData      *tiles;
  guint              n_tiles;
  guint              per_row;
  Table             *table;
} Block;

struct _CrmReport
{
  char           *title;
  char           *company;
  char           *period;
  GDateTime      *generated;
  double          page_width;
  double          page_height;
  double          margin[4];  /* top, right, bottom, left */
  GPtrArray      *blocks;
  GPtrArray      *kept;       /* KeptData */
  GArray         *placements;
  guint           n_pages;
  gboolean        paginated;
  CrmChartStyle   style;
};

typedef struct
{
  gpointer       data;
  GDestroyNotify destroy;
} KeptData;

static void
table_free (Table *table)
{
  if (table == NULL)
    return;
  g_strfreev (table->headers);
  g_free (table->aligns);
  g_free (table->widths);
  g_ptr_array_unref (table->rows);
  g_free (table);
}

static void
block_free (Block *block)
{
  g_free (block->text);
  g_free (block->tiles);
  table_free (block->table);
  g_free (block);
}

static void
kept_free (KeptData *kept)
{
  if (kept->destroy != NULL)
    kept->destroy (kept->data);
  g_free (kept);
}

CrmReport *
crm_report_new (const char *title,
                const char *company,
                const char *period)
{
  CrmReport *report = g_new0 (CrmReport, 1);

  report->title = g_strdup (title);
  report->company = g_strdup (company);
  report->period = g_strdup (period);
  report->generated = g_date_time_new_now_local ();
  report->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  report->kept = g_ptr_array_new_with_free_func ((GDestroyNotify) kept_free);
  report->placements = g_array_new (FALSE, TRUE, sizeof (CrmReportPlacement));
  crm_chart_style_init_light (&report->style);
  crm_report_set_paper (report, CRM_REPORT_PAPER_A4, FALSE);
  crm_report_set_margins (report, 42, 42, 42, 42);
  return report;
}

void
crm_report_free (CrmReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->blocks);
  g_ptr_array_unref (report->kept);
  g_array_unref (report->placements);
  g_date_time_unref (report->generated);
  g_free (report->title);
  g_free (report->company);
  g_free (report->period);
  g_free (report);
}

void
crm_report_set_paper (CrmReport      *report,
                      CrmReportPaper  paper,
                      gboolean        landscape)
{
  /* ISO 216 A4 is 210 × 297 mm; US Letter 8.5 × 11 in. */
  double w = paper == CRM_REPORT_PAPER_A4 ? 210 / 25.4 * 72 : 612;
  double h = paper == CRM_REPORT_PAPER_A4 ? 297 / 25.4 * 72 : 792;

  report->page_width = landscape ? h : w;
  report->page_height = landscape ? w : h;
  report->paginated = FALSE;
}

void
crm_report_set_margins (CrmReport *report,
                        double     top,
                        double     right,
                        double     bottom,
                        double     left)
{
  report->margin[0] = top;
  report->margin[1] = right;
  report->margin[2] = bottom;
  report->margin[3] = left;
  report->paginated = FALSE;
}

void
crm_report_set_generated (CrmReport *report,
                          GDateTime *when)
{
  g_date_time_unref (report->generated);
  report->generated = g_date_time_ref (when);
}

double
crm_report_get_page_width (CrmReport *report)
{
  return report->page_width;
}

double
crm_report_get_page_height (CrmReport *report)
{
  return report->page_height;
}

/* Header: company and period on one line, the title under it, a rule. */
static double
header_height (void)
{
  return SMALL_SIZE * 1.6 + HEADING_SIZE * 1.5 + 8;
}

static double
footer_height (void)
{
  return SMALL_SIZE * 1.6 + 8;
}

void
crm_report_get_content_area (CrmReport *report,
                             double    *x,
                             double    *y,
                             double    *width,
                             double    *height)
{
  *x = report->margin[3];
  *y = report->margin[0] + header_height ();
  *width = report->page_width - report->margin[1] - report->margin[3];
  *height = report->page_height - *y - report->margin[2] - footer_height ();
}

gpointer
crm_report_keep (CrmReport      *report,
                 gpointer        data,
                 GDestroyNotify  destroy)
{
  KeptData *kept = g_new (KeptData, 1);

  kept->data = data;
  kept->destroy = destroy;
  g_ptr_array_add (report->kept, kept);
  return data;
}

char *
crm_report_keep_string (CrmReport *report,
                        char      *string)
{
  return crm_report_keep (report, string, g_free);
}

static Block *
add_block (CrmReport          *report,
           CrmReportBlockKind  kind)
{
  Block *block = g_new0 (Block, 1);

  block->kind = kind;
  g_ptr_array_add (report->blocks, block);
  report->paginated = FALSE;
  return block;
}

void
crm_report_add_heading (CrmReport  *report,
                        const char *text)
{
  add_block (report, CRM_REPORT_BLOCK_HEADING)->text = g_strdup (text);
}

void
crm_report_add_paragraph (CrmReport  *report,
                          const char *text)
{
  add_block (report, CRM_REPORT_BLOCK_PARAGRAPH)->text = g_strdup (text);
}

void
crm_report_add_chart (CrmReport          *report,
                      CrmReportDrawFunc   draw,
                      const CrmChartData *data,
                      double              height)
{
  Block *block = add_block (report, CRM_REPORT_BLOCK_CHART);

  block->draw = draw;
  block->data = *data;
  block->data.layout = NULL;
  block->height = height;
}

void
crm_report_add_tiles (CrmReport          *report,
                      const CrmChartData *tiles,
                      guint               n_tiles,
                      guint               per_row,
                      double              tile_height)
{
  Block *block = add_block (report, CRM_REPORT_BLOCK_TILES);

  block->tiles = g_memdup2 (tiles, sizeof (CrmChartData) * n_tiles);
  block->n_tiles = n_tiles;
  block->per_row = MAX (per_row, 1);
  block->height = tile_height;
}

guint
crm_report_add_table (CrmReport            *report,
                      guint                 n_columns,
                      const char * const   *headers,
                      const CrmReportAlign *aligns,
                      const double         *widths)
{
  Block *block = add_block (report, CRM_REPORT_BLOCK_TABLE);
  Table *table = g_new0 (Table, 1);

  table->n_columns = n_columns;
  table->headers = g_new0 (char *, n_columns + 1);
  table->aligns = g_new0 (CrmReportAlign, n_columns);
  table->widths = g_new (double, n_columns);
  for (guint i = 0; i < n_columns; i++)
    {
      table->headers[i] = g_strdup (headers[i]);
      table->aligns[i] = aligns != NULL ? aligns[i] : CRM_REPORT_ALIGN_START;
      table->widths[i] = widths != NULL ? widths[i] : 1.0 / n_columns;
    }
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  block->table = table;
  return report->blocks->len - 1;
}

void
crm_report_table_add_row (CrmReport          *report,
                          guint               table,
                          const char * const *cells)
{
  Block *block;
  char **row;

  g_return_if_fail (table < report->blocks->len);
  block = g_ptr_array_index (report->blocks, table);
  g_return_if_fail (block->kind == CRM_REPORT_BLOCK_TABLE);
  row = g_new0 (char *, block->table->n_columns + 1);
  for (guint i = 0; i < block->table->n_columns; i++)
    row[i] = g_strdup (cells[i] != NULL ? cells[i] : "");
  g_ptr_array_add (block->table->rows, row);
  report->paginated = FALSE;
}

void
crm_report_add_page_break (CrmReport *report)
{
  add_block (report, CRM_REPORT_BLOCK_PAGE_BREAK);
}

/* ---------------------------------------------------------------------- */
/* Text */

PangoLayout *
crm_report_text_layout (cairo_t    *cr,
                        double      size,
                        gboolean    bold,
                        const char *text,
                        double      width,
                        gboolean    wrap)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_from_string (FONT_FAMILY);
  cairo_font_options_t *options = cairo_font_options_create ();

  /* Unhinted, so pagination is the same for PDF, SVG and PNG at any dpi. */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (pango_layout_get_context (layout), options);
  cairo_font_options_destroy (options);
  pango_context_changed (pango_layout_get_context (layout));
  pango_font_description_set_absolute_size (desc, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      if (wrap)
        pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      else
        pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  pango_layout_set_text (layout, text, -1);
  return layout;
}

static double
text_height (cairo_t    *cr,
             double      size,
             gboolean    bold,
             const char *text,
             double      width)
{
  PangoLayout *layout = crm_report_text_layout (cr, size, bold, text, width, TRUE);
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  g_object_unref (layout);
  return (double) logical.height / PANGO_SCALE;
}

static void
draw_text (cairo_t      *cr,
           double        size,
           gboolean      bold,
           const double  rgba[4],
           const char   *text,
           double        x,
           double        y,
           double        width,
           gboolean      wrap,
           PangoAlignment align)
{
  PangoLayout *layout = crm_report_text_layout (cr, size, bold, text, width, wrap);

  pango_layout_set_alignment (layout, align);
  cairo_save (cr);
  cairo_set_source_rgba (cr, rgba[0], rgba[1], rgba[2], rgba[3]);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
}

/* ---------------------------------------------------------------------- */
/* Pagination */

static double
row_height (cairo_t *cr)
{
  return text_height (cr, TABLE_SIZE, FALSE, "Ag中", 0) + 2 * CELL_PAD;
}

static double
block_min_height (CrmReport *report,
                  cairo_t   *cr,
                  Block     *block,
                  double     width)
{
  switch (block->kind)
    {
    case CRM_REPORT_BLOCK_HEADING:
      return text_height (cr, HEADING_SIZE * 0.85, TRUE, block->text, width) + GAP;
    case CRM_REPORT_BLOCK_PARAGRAPH:
      return text_height (cr, BODY_SIZE, FALSE, block->text, width) + GAP * 0.6;
    case CRM_REPORT_BLOCK_CHART:
    case CRM_REPORT_BLOCK_TILES:
      return block->height + GAP;
    case CRM_REPORT_BLOCK_TABLE:
      /* The header and at least two rows together. */
      return row_height (cr) * (1 + MIN (block->table->rows->len, 2)) + GAP;
    case CRM_REPORT_BLOCK_PAGE_BREAK:
    default:
      return 0;
    }
}

static void
place (CrmReport          *report,
       guint               block,
       CrmReportBlockKind  kind,
       guint               page,
       double              y,
       double              height,
       guint               first_row,
       guint               n_rows)
{
  CrmReportPlacement p = { block, kind, page, y, height, first_row, n_rows };

  g_array_append_val (report->placements, p);
}

guint
crm_report_paginate (CrmReport *report)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  double x, top, width, content_h, bottom, y;
  guint page = 0;

  if (report->paginated)
    return report->n_pages;

  /* Text is measured on a recording surface: no output, same metrics. */
  surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
  cr = cairo_create (surface);
  g_array_set_size (report->placements, 0);
  crm_report_get_content_area (report, &x, &top, &width, &content_h);
  bottom = top + content_h;
  y = top;

#define NEW_PAGE() G_STMT_START { page++; y = top; } G_STMT_END

  for (guint i = 0; i < report->blocks->len; i++)
    {
      Block *block = g_ptr_array_index (report->blocks, i);
      double h = block_min_height (report, cr, block, width);

      switch (block->kind)
        {
        case CRM_REPORT_BLOCK_PAGE_BREAK:
          if (y > top)
            NEW_PAGE ();
          place (report, i, block->kind, page, y, 0, 0, 0);
          break;

        case CRM_REPORT_BLOCK_HEADING:
          {
            /* Keep with the next block: never the last line of a page. */
            double next = 0;

            if (i + 1 < report->blocks->len)
              next = block_min_height (report, cr, g_ptr_array_index (report->blocks, i + 1), width);
            if (y > top && y + h + MIN (next, content_h - h) > bottom)
              NEW_PAGE ();
            place (report, i, block->kind, page, y, h, 0, 0);
            y += h;
          }
          break;

        case CRM_REPORT_BLOCK_PARAGRAPH:
        case CRM_REPORT_BLOCK_CHART:
          /* Never cut: to the next page when it does not fit. A chart
           * taller than a page is shrunk to the page when drawn. */
          if (y > top && y + h > bottom)
            NEW_PAGE ();
          place (report, i, block->kind, page, y, MIN (h, content_h), 0, 0);
          y += MIN (h, content_h);
          break;

        case CRM_REPORT_BLOCK_TILES:
          {
            guint rows = (block->n_tiles + block->per_row - 1) / block->per_row;

            for (guint r = 0; r < rows; r++)
              {
                if (y > top && y + h > bottom)
                  NEW_PAGE ();
                place (report, i, block->kind, page, y, h, r, 1);
                y += h;
              }
          }
          break;

        case CRM_REPORT_BLOCK_TABLE:
          {
            double rh = row_height (cr);
            guint n = block->table->rows->len;
            guint done = 0;

            if (y > top && y + h > bottom)
              NEW_PAGE ();
            do
              {
                guint fit = (guint) MAX (floor ((bottom - y - rh) / rh), 1);
                guint take = MIN (fit, n - done);

                place (report, i, block->kind, page, y, rh * (1 + take), done, take);
                y += rh * (1 + take) + GAP;
                done += take;
                if (done < n)
                  NEW_PAGE ();
              }
            while (done < n);
          }
          break;

        default:
          break;
        }
    }
#undef NEW_PAGE

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  report->n_pages = page + 1;
  report->paginated = TRUE;
  return report->n_pages;
}

const CrmReportPlacement *
crm_report_get_placements (CrmReport *report,
                           guint     *n_placements)
{
  crm_report_paginate (report);
  *n_placements = report->placements->len;
  return (const CrmReportPlacement *) (void *) report->placements->data;
}

/* ---------------------------------------------------------------------- */
/* Rendering */

static void
draw_header_footer (CrmReport *report,
                    cairo_t   *cr,
                    guint      page)
{
  const CrmChartStyle *s = &report->style;
  double left = report->margin[3];
  double width = report->page_width - report->margin[1] - report->margin[3];
  double y = report->margin[0];
  double footer_y = report->page_height - report->margin[2] - footer_height ();
  g_autofree char *when = g_date_time_format (report->generated, "%Y-%m-%d %H:%M");
  /* Translators: the footer of a report page; %s is a date and time. */
  g_autofree char *generated = g_strdup_printf (_("Generated at %s"), when);
  /* Translators: the footer of a report page. */
  g_autofree char *page_of = g_strdup_printf (_("Page %u of %u"), page + 1, report->n_pages);

  if (report->company != NULL)
    draw_text (cr, SMALL_SIZE, FALSE, s->muted, report->company, left, y, width / 2, FALSE,
               PANGO_ALIGN_LEFT);
  if (report->period != NULL)
    draw_text (cr, SMALL_SIZE, FALSE, s->muted, report->period, left + width / 2, y, width / 2,
               FALSE, PANGO_ALIGN_RIGHT);
  y += SMALL_SIZE * 1.6;
  if (report->title != NULL)
    draw_text (cr, HEADING_SIZE, TRUE, s->foreground, report->title, left, y, width, FALSE,
               PANGO_ALIGN_LEFT);
  y += HEADING_SIZE * 1.5 + 2;

  cairo_save (cr);
  cairo_set_source_rgba (cr, s->palette[0][0], s->palette[0][1], s->palette[0][2], 1);
  cairo_set_line_width (cr, 1.2);
  cairo_move_to (cr, left, y);
  cairo_line_to (cr, left + width, y);
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, s->grid[0], s->grid[1], s->grid[2], 1);
  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, left, footer_y + 4);
  cairo_line_to (cr, left + width, footer_y + 4);
  cairo_stroke (cr);
  cairo_restore (cr);

  draw_text (cr, SMALL_SIZE, FALSE, s->muted, generated, left, footer_y + 8, width / 2, FALSE,
             PANGO_ALIGN_LEFT);
  draw_text (cr, SMALL_SIZE, FALSE, s->muted, page_of, left + width / 2, footer_y + 8, width / 2,
             FALSE, PANGO_ALIGN_RIGHT);
}

static void
draw_table (CrmReport                *report,
            cairo_t                  *cr,
            Table                    *table,
            const CrmReportPlacement *p,
            double                    x,
            double                    width)
{
  const CrmChartStyle *s = &report->style;
  double rh = row_height (cr);
  double y = p->y;

  for (guint r = 0; r <= p->n_rows; r++)
    {
      char **cells = r == 0 ? table->headers : g_ptr_array_index (table->rows, p->first_row + r - 1);
      double cx = x;

      cairo_save (cr);
      if (r == 0)
        cairo_set_source_rgba (cr, 0.93, 0.95, 0.97, 1);
      else if ((p->first_row + r) % 2 == 0)
        cairo_set_source_rgba (cr, 0.975, 0.98, 0.985, 1);
      else
        cairo_set_source_rgba (cr, 1, 1, 1, 1);
      cairo_rectangle (cr, x, y, width, rh);
      cairo_fill (cr);
      cairo_restore (cr);

      for (guint c = 0; c < table->n_columns; c++)
        {
          double cw = width * table->widths[c];

          draw_text (cr, TABLE_SIZE, r == 0, r == 0 ? s->muted : s->foreground, cells[c],
                     cx + CELL_PAD, y + CELL_PAD, cw - 2 * CELL_PAD, FALSE,
                     table->aligns[c] == CRM_REPORT_ALIGN_END ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
          cx += cw;
        }
      y += rh;
    }
  cairo_save (cr);
  cairo_set_source_rgba (cr, s->grid[0], s->grid[1], s->grid[2], 1);
  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, x, p->y + rh);
  cairo_line_to (cr, x + width, p->y + rh);
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x + width, y);
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
crm_report_render_page (CrmReport *report,
                        cairo_t   *cr,
                        guint      page)
{
  double x, top, width, content_h;

  crm_report_paginate (report);
  crm_report_get_content_area (report, &x, &top, &width, &content_h);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  draw_header_footer (report, cr, page);

  for (guint i = 0; i < report->placements->len; i++)
    {
      const CrmReportPlacement *p = &g_array_index (report->placements, CrmReportPlacement, i);
      Block *block = g_ptr_array_index (report->blocks, p->block);

      if (p->page != page)
        continue;
      switch (block->kind)
        {
        case CRM_REPORT_BLOCK_HEADING:
          draw_text (cr, HEADING_SIZE * 0.85, TRUE, report->style.foreground, block->text,
                     x, p->y + GAP * 0.4, width, TRUE, PANGO_ALIGN_LEFT);
          break;
        case CRM_REPORT_BLOCK_PARAGRAPH:
          draw_text (cr, BODY_SIZE, FALSE, report->style.foreground, block->text,
                     x, p->y, width, TRUE, PANGO_ALIGN_LEFT);
          break;
        case CRM_REPORT_BLOCK_CHART:
          cairo_save (cr);
          cairo_translate (cr, x, p->y);
          block->draw (cr, &block->data, &report->style, width, p->height - GAP);
          cairo_restore (cr);
          break;
        case CRM_REPORT_BLOCK_TILES:
          {
            double gap = GAP * 0.8;
            double tw = (width - gap * (block->per_row - 1)) / block->per_row;

            for (guint k = 0; k < block->per_row; k++)
              {
                guint t = p->first_row * block->per_row + k;

                if (t >= block->n_tiles)
                  break;
                cairo_save (cr);
                cairo_translate (cr, x + k * (tw + gap), p->y);
                crm_chart_tile_draw (cr, &block->tiles[t], &report->style, tw, block->height);
                cairo_restore (cr);
              }
          }
          break;
        case CRM_REPORT_BLOCK_TABLE:
          draw_table (report, cr, block->table, p, x, width);
          break;
        case CRM_REPORT_BLOCK_PAGE_BREAK:
        default:
          break;
        }
    }
  cairo_restore (cr);
}

static char *
page_path (const char *path,
           guint       page)
{
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, '/');

  if (page == 0)
    return g_strdup (path);
  if (dot == NULL || (slash != NULL && dot < slash))
    return g_strdup_printf ("%s-%u", path, page + 1);
  return g_strdup_printf ("%.*s-%u%s", (int) (dot - path), path, page + 1, dot);
}

static gboolean
check_surface (cairo_surface_t  *surface,
               const char       *path,
               GError          **error)
{
  cairo_status_t status = cairo_surface_status (surface);

  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, CRM_REPORT_ERROR, CRM_REPORT_ERROR_FAILED,
               /* Translators: %s is a file name, then Cairo's reason. */
               _("Could not write the report to “%s”: %s. Check that the folder exists and is writable."),
               path, cairo_status_to_string (status));
  return FALSE;
}

gboolean
crm_report_write (CrmReport        *report,
                  CrmReportFormat   format,
                  const char       *path,
                  double            dpi,
                  GError          **error)
{
  guint n = crm_report_paginate (report);

  if (dpi <= 0)
    dpi = 150;

  if (format == CRM_REPORT_FORMAT_PDF)
    {
      cairo_surface_t *surface;

      if (!crm_runtime_reserve_private_file (path, error))
        return FALSE;
      surface = cairo_pdf_surface_create (path, report->page_width, report->page_height);
      cairo_t *cr = cairo_create (surface);
      gboolean ok;

      if (report->title != NULL)
        cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, report->title);
      if (report->company != NULL)
        cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_AUTHOR, report->company);
      for (guint page = 0; page < n; page++)
        {
          crm_report_render_page (report, cr, page);
          cairo_show_page (cr);
        }
      cairo_destroy (cr);
      cairo_surface_finish (surface);
      ok = check_surface (surface, path, error);
      cairo_surface_destroy (surface);
      return ok;
    }

  for (guint page = 0; page < n; page++)
    {
      g_autofree char *file = page_path (path, page);
      cairo_surface_t *surface;
      cairo_t *cr;
      gboolean ok;

      if (!crm_runtime_reserve_private_file (file, error))
        return FALSE;
      if (format == CRM_REPORT_FORMAT_SVG)
        surface = cairo_svg_surface_create (file, report->page_width, report->page_height);
      else
        surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                              (int) ceil (report->page_width * dpi / 72),
                                              (int) ceil (report->page_height * dpi / 72));
      cr = cairo_create (surface);
      if (format == CRM_REPORT_FORMAT_PNG)
        cairo_scale (cr, dpi / 72, dpi / 72);
      crm_report_render_page (report, cr, page);
      cairo_destroy (cr);
      if (format == CRM_REPORT_FORMAT_PNG && cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS)
        {
          cairo_status_t status = cairo_surface_write_to_png (surface, file);

          if (status != CAIRO_STATUS_SUCCESS)
            {
              g_set_error (error, CRM_REPORT_ERROR, CRM_REPORT_ERROR_FAILED,
                           _("Could not write the report to “%s”: %s. Check that the folder exists and is writable."),
                           file, cairo_status_to_string (status));
              cairo_surface_destroy (surface);
              return FALSE;
            }
        }
      cairo_surface_finish (surface);
      ok = check_surface (surface, file, error);
      cairo_surface_destroy (surface);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* CSV: the data behind each chart and table */

static void
csv_field (GString    *out,
           const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* Figures as numbers a spreadsheet reads: no grouping, no currency. */
static void
csv_number (GString        *out,
            CrmChartFormat  format,
            double          value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value) || isinf (value))
    return;
  g_string_append (out, g_ascii_formatd (buf, sizeof buf,
                                         format == CRM_CHART_FORMAT_MONEY ? "%.2f"
                                         : format == CRM_CHART_FORMAT_PERCENT ? "%.4f" : "%.10g", value));
}

static void
csv_category (GString            *out,
              const CrmChartData *data,
              guint               i)
{
  if (data->dates != NULL && g_date_valid (&data->dates[i]))
    {
      char buf[16];

      g_snprintf (buf, sizeof buf, "%04d-%02d-%02d", g_date_get_year (&data->dates[i]),
                  g_date_get_month (&data->dates[i]), g_date_get_day (&data->dates[i]));
      g_string_append (out, buf);
    }
  else if (data->categories != NULL)
    csv_field (out, data->categories[i]);
  else
    g_string_append_printf (out, "%u", i);
}

static void
csv_chart (GString            *out,
           const char         *heading,
           const CrmChartData *data)
{
  csv_field (out, data->title != NULL ? data->title : heading);
  g_string_append_c (out, '\n');
  if (data->cells != NULL && data->n_columns > 0)
    {
      /* Heatmap: a row per category, its note, a column per column. */
      g_string_append (out, ",");
      if (data->row_notes != NULL)
        g_string_append (out, ",");
      for (guint c = 0; c < data->n_columns; c++)
        {
          if (c > 0)
            g_string_append_c (out, ',');
          csv_field (out, data->column_labels != NULL ? data->column_labels[c] : NULL);
        }
      g_string_append_c (out, '\n');
      for (guint r = 0; r < data->n_categories; r++)
        {
          csv_category (out, data, r);
          g_string_append_c (out, ',');
          if (data->row_notes != NULL)
            {
              csv_field (out, data->row_notes[r]);
              g_string_append_c (out, ',');
            }
          for (guint c = 0; c < data->n_columns; c++)
            {
              if (c > 0)
                g_string_append_c (out, ',');
              csv_number (out, CRM_CHART_FORMAT_PERCENT, data->cells[r * data->n_columns + c]);
            }
          g_string_append_c (out, '\n');
        }
      return;
    }
  g_string_append_c (out, ',');
  for (guint s = 0; s < data->n_series; s++)
    {
      if (s > 0)
        g_string_append_c (out, ',');
      csv_field (out, data->series[s].name);
    }
  g_string_append_c (out, '\n');
  for (guint i = 0; i < data->n_categories; i++)
    {
      csv_category (out, data, i);
      for (guint s = 0; s < data->n_series; s++)
        {
          g_string_append_c (out, ',');
          csv_number (out, data->format, data->series[s].values[i]);
        }
      g_string_append_c (out, '\n');
    }
}

char *
crm_report_to_csv (CrmReport *report)
{
  GString *out = g_string_new (NULL);
  const char *heading = NULL;

  for (guint b = 0; b < report->blocks->len; b++)
    {
      Block *block = report->blocks->pdata[b];

      switch (block->kind)
        {
        case CRM_REPORT_BLOCK_HEADING:
          heading = block->text;
          break;
        case CRM_REPORT_BLOCK_CHART:
          csv_chart (out, heading, &block->data);
          g_string_append_c (out, '\n');
          break;
        case CRM_REPORT_BLOCK_TILES:
          csv_field (out, heading);
          /* Translators: CSV header of KPI tiles. */
          g_string_append_printf (out, "\n%s\n", _("figure,value,previous period"));
          for (guint i = 0; i < block->n_tiles; i++)
            {
              csv_field (out, block->tiles[i].title);
              g_string_append_c (out, ',');
              csv_number (out, block->tiles[i].format, block->tiles[i].value);
              g_string_append_c (out, ',');
              csv_number (out, block->tiles[i].format, block->tiles[i].previous);
              g_string_append_c (out, '\n');
            }
          g_string_append_c (out, '\n');
          break;
        case CRM_REPORT_BLOCK_TABLE:
          csv_field (out, heading);
          g_string_append_c (out, '\n');
          for (guint c = 0; c < block->table->n_columns; c++)
            {
              if (c > 0)
                g_string_append_c (out, ',');
              csv_field (out, block->table->headers[c]);
            }
          g_string_append_c (out, '\n');
          for (guint r = 0; r < block->table->rows->len; r++)
            {
              char **row = block->table->rows->pdata[r];

              for (guint c = 0; c < block->table->n_columns; c++)
                {
                  if (c > 0)
                    g_string_append_c (out, ',');
                  csv_field (out, row[c]);
                }
              g_string_append_c (out, '\n');
            }
          g_string_append_c (out, '\n');
          break;
        case CRM_REPORT_BLOCK_PARAGRAPH:
        case CRM_REPORT_BLOCK_PAGE_BREAK:
        default:
          break;
        }
    }
  return g_string_free (out, FALSE);
}

gboolean
crm_report_write_csv (CrmReport   *report,
                      const char  *path,
                      GError     **error)
{
  g_autofree char *text = crm_report_to_csv (report);
  g_autoptr(GError) local_error = NULL;

  /* A BOM, so that spreadsheets open the Chinese text as UTF-8. */
  g_autofree char *with_bom = g_strconcat ("\xef\xbb\xbf", text, NULL);

  if (!crm_runtime_write_file (path, with_bom, -1, &local_error))
    {
      g_set_error (error, CRM_REPORT_ERROR, CRM_REPORT_ERROR_FAILED,
                   _("Could not write the report to “%s”: %s. Check that the folder exists and is writable."),
                   path, local_error->message);
      return FALSE;
    }
  return TRUE;
}
