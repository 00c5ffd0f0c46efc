{#- Azure's FOCUS export (FocusCost), one row per raw row; FOCUS columns keep their names. -#}
{{ focus_export_staging(source('azure_cost', 'focus_costs')) }}
