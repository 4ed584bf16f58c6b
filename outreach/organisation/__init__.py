"""The organisation behind the site: its name, description, logo, contact and privacy details (edited by admins,
with the environment as defaults), the about page, the campaigns' share images, and the site's link previews."""
