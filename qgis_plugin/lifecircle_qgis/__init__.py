"""lifecircle for QGIS: a Processing provider ("lifecircle" in the toolbox) over the lifecircle
Python module. The plugin folder is lifecircle_qgis so that it never shadows the module."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import LifecirclePlugin
    return LifecirclePlugin(iface)
