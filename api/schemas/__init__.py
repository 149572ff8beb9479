"""Request and response models of the API, separate from the store's rows."""
