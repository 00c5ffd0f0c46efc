{#- The AWS FOCUS export, one row per raw row; FOCUS columns keep their names. -#}
{{ focus_export_staging(source('aws_focus', 'focus_costs')) }}
