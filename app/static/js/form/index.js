// Form runtime entry (see fill page).
