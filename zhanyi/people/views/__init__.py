"""Pages of the person index (人员库): persons (``persons``) and health codes
(``health_codes``)."""
