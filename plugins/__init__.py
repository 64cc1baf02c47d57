"""Built-in areas of Space, each a plugin: discuss, blog, events."""
