"""The public request form (embeddable), verification and the requester's status page."""
