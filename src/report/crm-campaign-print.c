/* crm-campaign-print.c: a letter campaign on paper: the mail merge (one letter per page) and address label sheets, drawn with Cairo and Pango */

#include "config.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "crm-runtime.h"
#include "crm-campaign-print.h"
#include "crm-report.h"
#include "crm-report-private.h"

#define MARGIN 72.0
#define MM (72.0 / 25.4)
#define LABEL_WIDTH (70.0 * MM)
#define LABEL_HEIGHT (CRM_CAMPAIGN_PRINT_PAGE_HEIGHT / CRM_CAMPAIGN_PRINT_LABEL_ROWS)
#define LABEL_PADDING (5.0 * MM)
#define LABELS_PER_PAGE (CRM_CAMPAIGN_PRINT_LABEL_COLUMNS * CRM_CAMPAIGN_PRINT_LABEL_ROWS)

guint
crm_campaign_print_n_pages (gboolean labels,
                            guint    n_pieces)
{
  return labels ? (n_pieces + LABELS_PER_PAGE - 1) / LABELS_PER_PAGE : n_pieces;
}

/* Text at (x, y) in @width; @max_height > 0 cuts it there with "…" (a
 * letter never runs onto a second page). Returns the height drawn. */
static double
text (cairo_t    *cr,
      const char *string,
      double      size,
      gboolean    bold,
      double      x,
      double      y,
      double      width,
      double      max_height,
      PangoAlignment align)
{
  g_autoptr(PangoLayout) layout = crm_report_text_layout (cr, size, bold, string != NULL ? string : "", width, TRUE);
  int w, h;

  pango_layout_set_alignment (layout, align);
  if (max_height > 0)
    {
      pango_layout_set_height (layout, (int) (max_height * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  pango_layout_get_size (layout, &w, &h);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  return (double) h / PANGO_SCALE;
}

static void
draw_letter (cairo_t            *cr,
             const CrmMailPiece *piece,
             const char         *sender,
             const char         *date_text)
{
  double width = CRM_CAMPAIGN_PRINT_PAGE_WIDTH - 2 * MARGIN;
  double y;

  cairo_set_source_rgb (cr, 0, 0, 0);
  if (sender != NULL)
    text (cr, sender, 12, TRUE, MARGIN, MARGIN, width * 0.6, 0, PANGO_ALIGN_LEFT);
  if (date_text != NULL)
    text (cr, date_text, 10, FALSE, MARGIN + width * 0.6, MARGIN, width * 0.4, 0, PANGO_ALIGN_RIGHT);

  /* The recipient where a window envelope shows it. */
  y = MARGIN + 80;
  y += text (cr, piece->name, 12, TRUE, MARGIN, y, width * 0.55, 0, PANGO_ALIGN_LEFT) + 4;
  y += text (cr, piece->address, 11, FALSE, MARGIN, y, width * 0.55, 60, PANGO_ALIGN_LEFT);

  y = MAX (y + 40, MARGIN + 220);
  if (piece->subject != NULL && *piece->subject != '\0')
    y += text (cr, piece->subject, 14, TRUE, MARGIN, y, width, 0, PANGO_ALIGN_LEFT) + 14;
  text (cr, piece->body, 11, FALSE, MARGIN, y, width, CRM_CAMPAIGN_PRINT_PAGE_HEIGHT - MARGIN - y, PANGO_ALIGN_LEFT);
}

static void
draw_label (cairo_t            *cr,
            const CrmMailPiece *piece,
            double              x,
            double              y)
{
  double width = LABEL_WIDTH - 2 * LABEL_PADDING;
  double name_height;

  cairo_set_source_rgb (cr, 0, 0, 0);
  name_height = text (cr, piece->name, 11, TRUE, x + LABEL_PADDING, y + LABEL_PADDING, width, 16, PANGO_ALIGN_LEFT);
  text (cr, piece->address, 9.5, FALSE, x + LABEL_PADDING, y + LABEL_PADDING + name_height + 3, width,
        LABEL_HEIGHT - 2 * LABEL_PADDING - name_height - 3, PANGO_ALIGN_LEFT);
}

void
crm_campaign_print_draw_page (cairo_t    *cr,
                              GPtrArray  *pieces,
                              gboolean    labels,
                              guint       page,
                              const char *sender,
                              const char *date_text)
{
  /* Labels sit on the sheet edge to edge, centred across. */
  double left = (CRM_CAMPAIGN_PRINT_PAGE_WIDTH - CRM_CAMPAIGN_PRINT_LABEL_COLUMNS * LABEL_WIDTH) / 2;

  cairo_save (cr);
  if (!labels)
    {
      if (page < pieces->len)
        draw_letter (cr, g_ptr_array_index (pieces, page), sender, date_text);
      cairo_restore (cr);
      return;
    }
  for (guint i = 0; i < LABELS_PER_PAGE; i++)
    {
      guint index = page * LABELS_PER_PAGE + i;

      if (index >= pieces->len)
        break;
      draw_label (cr, g_ptr_array_index (pieces, index),
                  left + (i % CRM_CAMPAIGN_PRINT_LABEL_COLUMNS) * LABEL_WIDTH,
                  (i / CRM_CAMPAIGN_PRINT_LABEL_COLUMNS) * LABEL_HEIGHT);
    }
  cairo_restore (cr);
}

gboolean
crm_campaign_print_check (GPtrArray  *pieces,
                          GError    **error)
{
  if (pieces->len == 0)
    {
      g_set_error_literal (error, CRM_REPORT_ERROR, CRM_REPORT_ERROR_FAILED,
                           _("The campaign has no members to print for. Launch it first, with a segment that has postal addresses."));
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_campaign_print_write_pdf (GPtrArray   *pieces,
                              gboolean     labels,
                              const char  *sender,
                              const char  *date_text,
                              const char  *path,
                              GError     **error)
{
  /* Written beside and renamed over, unless @path is a device or pipe. */
  g_autofree char *tmp = crm_runtime_is_special_file (path) ? g_strdup (path) : g_strconcat (path, ".part", NULL);
  guint n = crm_campaign_print_n_pages (labels, pieces->len);
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  if (!crm_campaign_print_check (pieces, error))
    return FALSE;
  surface = cairo_pdf_surface_create (tmp, CRM_CAMPAIGN_PRINT_PAGE_WIDTH, CRM_CAMPAIGN_PRINT_PAGE_HEIGHT);
  cr = cairo_create (surface);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, labels ? _("Address labels") : _("Letters"));
  for (guint page = 0; page < n; page++)
    {
      crm_campaign_print_draw_page (cr, pieces, labels, page, sender, date_text);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS || (!g_str_equal (tmp, path) && g_rename (tmp, path) != 0))
    {
      int saved = errno;

      if (!g_str_equal (tmp, path))
        g_unlink (tmp);
      g_set_error (error, CRM_REPORT_ERROR, CRM_REPORT_ERROR_FAILED,
                   _("Could not write “%s”: %s. Check that the folder exists and is writable."),
                   path, status != CAIRO_STATUS_SUCCESS ? cairo_status_to_string (status) : g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
