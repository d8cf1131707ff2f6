/* crm-contact-labels.h: what people read for stored contact values (lifecycle, gender, RFM, ...) and money */
#pragma once

#include <glib.h>

#include "crm-contact-list-model.h"

G_BEGIN_DECLS

typedef struct
{
  const char *value;   /* as stored */
  const char *label;   /* untranslated; pass through _() */
} CrmValueLabel;

/* NULL-terminated tables, in the order menus show them. */
extern const CrmValueLabel crm_lifecycle_labels[];
extern const CrmValueLabel crm_gender_labels[];
extern const CrmValueLabel crm_rfm_segment_labels[];
extern const CrmValueLabel crm_age_band_labels[];
extern const CrmValueLabel crm_kind_labels[];

/* The translated label of @value in @table, or @value itself. */
const char *crm_value_label             (const CrmValueLabel *table,
                                         const char          *value);

/* A stored field as people read it ("owner_id" → "Owner"), translated;
 * @table (nullable) tells apart fields of the same name (a deal's title
 * is not a job title). Unknown fields are returned as they are. */
const char *crm_field_label             (const char          *table,
                                         const char          *field);

/* The filter's name in actions ("lifecycle", "age-band", ...), and back. */
const char *crm_contact_filter_to_string   (CrmContactFilter  filter);
gboolean    crm_contact_filter_from_string (const char       *name,
                                            CrmContactFilter *out_filter);
/* "Lifecycle", "Owner", ... translated. */
const char *crm_contact_filter_title       (CrmContactFilter  filter);
/* The translated label of a value of @filter; owners need @owner_name. */
char       *crm_contact_filter_value_label (CrmContactFilter  filter,
                                            const char       *value,
                                            const char       *owner_name);

/* "¥1,234.50" for 123450 fen, grouped by thousands whatever the locale
 * (C.UTF-8 has no grouping). */
char       *crm_format_money               (gint64            minor,
                                            const char       *currency);
/* A stored E.164 number as Chinese offices write it: "138 1234 5678" for
 * mobiles, "010 1234 5678" style for landlines; other countries as stored. */
char       *crm_format_phone               (const char       *e164);
/* "2024-03-05" from a timestamp or HLC text; NULL for NULL. ISO dates are
 * what Chinese offices write and read without ambiguity. */
char       *crm_format_date                (const char       *timestamp);

G_END_DECLS
