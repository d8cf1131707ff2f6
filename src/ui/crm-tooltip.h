/* crm-tooltip.h: tooltips for widgets made per row, without a cost per row */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Like gtk_widget_set_tooltip_text(), which in GTK 4.8 asks the X server
 * where the pointer is each time it is called (a round trip per list row
 * bound or made); this answers ::query-tooltip instead. @text is copied;
 * NULL removes the tooltip. It is also the widget's accessible description. */
void crm_tooltip_set_text (GtkWidget  *widget,
                           const char *text);

G_END_DECLS
