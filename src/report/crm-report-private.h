/* crm-report-private.h: what the printed layouts of src/report share */
#pragma once

#include <pango/pangocairo.h>

G_BEGIN_DECLS

/* An unhinted layout in the reports' font, so pagination is the same for
 * PDF, SVG, PNG and the screen; @width > 0 wraps (@wrap) or ellipsizes. */
PangoLayout *crm_report_text_layout (cairo_t    *cr,
                                     double      size,
                                     gboolean    bold,
                                     const char *text,
                                     double      width,
                                     gboolean    wrap);

G_END_DECLS
