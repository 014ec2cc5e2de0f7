"""The caller of a request."""
from __future__ import annotations

import graphene


class ViewerType(graphene.ObjectType):
    class Meta:
        name = "Viewer"
        description = "The caller of this request and what they may do on this host."

    kind = graphene.String(required=True, description="anonymous, user or api_key")
    label = graphene.String(required=True)
    operations = graphene.List(graphene.NonNull(graphene.String), required=True,
                               description="Operations of the permission matrix granted on this host (docs/API.md).")
    can_read_personal_data = graphene.Boolean(required=True)
