"""What the clients need to know about the platform itself: the zh-CN labels of every enum they show.

The top layer: it reads the label tables the domain packages keep next to their enums, so it may import any domain
package, and no domain package imports it.
"""
