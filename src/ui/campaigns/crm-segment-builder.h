/* crm-segment-builder.h: edits a segment rule as AND/OR groups of conditions (field, operator, value) */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CRM_TYPE_SEGMENT_BUILDER (crm_segment_builder_get_type ())

G_DECLARE_FINAL_TYPE (CrmSegmentBuilder, crm_segment_builder, CRM, SEGMENT_BUILDER, GtkWidget)

/* Emits "changed" whenever a condition, operator, value or group changes;
 * the rule is then crm_segment_builder_dup_rule(). */
GtkWidget *crm_segment_builder_new           (void);
/* Shows @rule_json. FALSE (and nothing shown) when it is not JSON or
 * nests deeper than a group within the top group: that rule is edited as
 * JSON only. Emits no "changed". */
gboolean   crm_segment_builder_set_rule      (CrmSegmentBuilder *self,
                                              const char        *rule_json);
/* The rule as JSON; values typed are converted as the field needs (numbers,
 * true/false, comma-separated lists) and left as text otherwise, so the
 * rule compiler names what is wrong. */
char      *crm_segment_builder_dup_rule      (CrmSegmentBuilder *self);
void       crm_segment_builder_set_editable  (CrmSegmentBuilder *self,
                                              gboolean           editable);
guint      crm_segment_builder_get_n_conditions (CrmSegmentBuilder *self);

G_END_DECLS
