/* crm-test-ui.h: shared setup of UI tests (display check, GTK and libadwaita init) */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void crm_test_ui_init          (int          *argc,
                                char       ***argv);
void crm_test_ui_iterate       (void);
void crm_test_ui_wait_until    (gboolean    (*condition) (gpointer),
                                gpointer      data);
void crm_test_ui_assert_finalized (gpointer   object);
GtkWidget *crm_test_ui_find_descendant (GtkWidget *widget,
                                        GType      type);
void       crm_test_ui_destroy_window  (GtkWindow *window);
void       crm_test_ui_save_screenshot (GtkWidget  *widget,
                                        const char *name);

G_END_DECLS
